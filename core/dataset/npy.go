package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"fixq/core/tensor"
)

// MaxNPYHeader bounds the text header of a .npy file (NumPy writes 128 bytes
// or a multiple of 64 bytes for ordinary shapes).
const MaxNPYHeader = 1 << 16

var npyMagic = []byte("\x93NUMPY")

// npyDescr maps NumPy's little-endian dtype strings to fixq's.
var npyDescr = map[string]tensor.DType{
	"<f4": tensor.Float32, "<i8": tensor.Int64, "<i4": tensor.Int32,
	"|i1": tensor.Int8, "|u1": tensor.Uint8, "<i1": tensor.Int8, "<u1": tensor.Uint8,
}

// ReadNPY reads a .npy file (format version 1, 2 or 3) of a C-order,
// little-endian float32, int64, int32, int8 or uint8 array. The shape is
// checked against tensor.MaxElements before the data is allocated.
func ReadNPY(r io.Reader) (*tensor.Tensor, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("npy: preamble: %w", noEOF(err))
	}
	if !bytes.Equal(pre[:6], npyMagic) {
		return nil, fmt.Errorf("npy: bad magic %q, want \\x93NUMPY", pre[:6])
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("npy: header length: %w", noEOF(err))
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("npy: header length: %w", noEOF(err))
		}
		if v := binary.LittleEndian.Uint32(b[:]); v > MaxNPYHeader {
			return nil, fmt.Errorf("npy: header of %d bytes, limit %d", v, MaxNPYHeader)
		} else {
			hlen = int(v)
		}
	default:
		return nil, fmt.Errorf("npy: format version %d.%d not supported", pre[6], pre[7])
	}
	head := make([]byte, hlen)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, fmt.Errorf("npy: header: %w", noEOF(err))
	}
	dt, shape, err := parseNPYHeader(string(head))
	if err != nil {
		return nil, err
	}
	n, err := tensor.NumElements(shape)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	raw, err := readExactly(r, n*dt.Size())
	if err != nil {
		return nil, fmt.Errorf("npy: %v data of shape %v: %w", dt, shape, err)
	}
	t := &tensor.Tensor{DType: dt, Shape: shape}
	le := binary.LittleEndian
	switch dt {
	case tensor.Float32:
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case tensor.Int64:
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case tensor.Int32:
		t.I32 = make([]int32, n)
		for i := range t.I32 {
			t.I32[i] = int32(le.Uint32(raw[4*i:]))
		}
	case tensor.Int8:
		t.I8 = make([]int8, n)
		for i, b := range raw {
			t.I8[i] = int8(b)
		}
	case tensor.Uint8:
		t.U8 = raw
	}
	return t, nil
}

// parseNPYHeader reads NumPy's header, a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (64, 10), }.
func parseNPYHeader(h string) (tensor.DType, []int, error) {
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "{") || !strings.HasSuffix(h, "}") {
		return 0, nil, fmt.Errorf("npy: header %q is not a dict", h)
	}
	descr, ok := npyField(h, "descr")
	if !ok {
		return 0, nil, fmt.Errorf("npy: header %q has no descr", h)
	}
	descr = strings.Trim(descr, `'"`)
	dt, ok := npyDescr[descr]
	if !ok {
		return 0, nil, fmt.Errorf("npy: dtype %q not supported (want <f4, <i8, <i4, |i1 or |u1)", descr)
	}
	if fo, _ := npyField(h, "fortran_order"); fo != "False" {
		return 0, nil, fmt.Errorf("npy: fortran_order %q, only C order (False) is supported", fo)
	}
	sh, ok := npyField(h, "shape")
	if !ok || !strings.HasPrefix(sh, "(") || !strings.HasSuffix(sh, ")") {
		return 0, nil, fmt.Errorf("npy: header %q has no shape tuple", h)
	}
	shape := []int{}
	for _, f := range strings.Split(sh[1:len(sh)-1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || d < 0 {
			return 0, nil, fmt.Errorf("npy: bad dim %q in shape %s", f, sh)
		}
		shape = append(shape, d)
	}
	return dt, shape, nil
}

// npyField returns the value text of key in the dict literal h: a quoted
// string, a parenthesised tuple or a bare word.
func npyField(h, key string) (string, bool) {
	i := strings.Index(h, "'"+key+"'")
	if i < 0 {
		i = strings.Index(h, `"`+key+`"`)
	}
	if i < 0 {
		return "", false
	}
	rest := strings.TrimSpace(h[i+len(key)+2:])
	if !strings.HasPrefix(rest, ":") {
		return "", false
	}
	rest = strings.TrimSpace(rest[1:])
	var end int
	switch {
	case strings.HasPrefix(rest, "("):
		end = strings.IndexByte(rest, ')') + 1
	case strings.HasPrefix(rest, "'"), strings.HasPrefix(rest, `"`):
		end = strings.IndexByte(rest[1:], rest[0]) + 2
	default:
		end = strings.IndexAny(rest, ",}")
	}
	if end <= 0 {
		return "", false
	}
	return strings.TrimSpace(rest[:end]), true
}

// WriteNPY writes t as a version 1.0 .npy file that numpy.load reads:
// C order, little-endian, header padded to a multiple of 64 bytes.
func WriteNPY(w io.Writer, t *tensor.Tensor) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	var descr string
	switch t.DType {
	case tensor.Float32:
		descr = "<f4"
	case tensor.Int64:
		descr = "<i8"
	case tensor.Int32:
		descr = "<i4"
	case tensor.Int8:
		descr = "|i1"
	case tensor.Uint8:
		descr = "|u1"
	default:
		return fmt.Errorf("npy: cannot write %v", t.DType)
	}
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = strconv.Itoa(d)
	}
	shape := strings.Join(dims, ", ")
	if len(t.Shape) == 1 {
		shape += ","
	}
	head := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape)
	pad := 64 - (len(npyMagic)+4+len(head)+1)%64
	if pad == 64 {
		pad = 0
	}
	head += strings.Repeat(" ", pad) + "\n"
	if len(head) > math.MaxUint16 {
		return fmt.Errorf("npy: header of %d bytes too long for format 1.0", len(head))
	}
	buf := make([]byte, 0, len(npyMagic)+4+len(head)+t.Len()*t.DType.Size())
	buf = append(buf, npyMagic...)
	buf = append(buf, 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(head)))
	buf = append(buf, head...)
	switch t.DType {
	case tensor.Float32:
		for _, v := range t.F32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	case tensor.Int64:
		for _, v := range t.I64 {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
		}
	case tensor.Int32:
		for _, v := range t.I32 {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
		}
	case tensor.Int8:
		for _, v := range t.I8 {
			buf = append(buf, byte(v))
		}
	case tensor.Uint8:
		buf = append(buf, t.U8...)
	}
	_, err := w.Write(buf)
	return err
}
