package conformance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"fixq/core/tensor"
)

// The .npy format (numpy's, version 1.0): "\x93NUMPY", version bytes, a
// little-endian uint16 header length, a Python-dict header, then the data
// in C order. This is the interchange with scripts/ort/run.js.

var npyDescr = map[tensor.DType]string{
	tensor.Float32: "<f4", tensor.Uint8: "|u1", tensor.Int8: "|i1",
	tensor.Int32: "<i4", tensor.Int64: "<i8", tensor.Bool: "|b1",
}

func writeNpy(path string, t *tensor.Tensor) error {
	descr, ok := npyDescr[t.DType]
	if !ok {
		return fmt.Errorf("npy: dtype %v not supported", t.DType)
	}
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = strconv.Itoa(d)
	}
	shape := "(" + strings.Join(dims, ", ") + ")"
	if len(dims) == 1 {
		shape = "(" + dims[0] + ",)"
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	if pad := (64 - (10+len(header)+1)%64) % 64; pad > 0 {
		header += strings.Repeat(" ", pad)
	}
	header += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	le := binary.LittleEndian
	switch t.DType {
	case tensor.Float32:
		for _, v := range t.F32 {
			b.Write(le.AppendUint32(nil, math.Float32bits(v)))
		}
	case tensor.Int64:
		for _, v := range t.I64 {
			b.Write(le.AppendUint64(nil, uint64(v)))
		}
	case tensor.Int32:
		for _, v := range t.I32 {
			b.Write(le.AppendUint32(nil, uint32(v)))
		}
	case tensor.Uint8:
		b.Write(t.U8)
	case tensor.Int8:
		for _, v := range t.I8 {
			b.WriteByte(byte(v))
		}
	case tensor.Bool:
		for _, v := range t.B {
			if v {
				b.WriteByte(1)
			} else {
				b.WriteByte(0)
			}
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

var (
	npyDescrRe = regexp.MustCompile(`'descr':\s*'([^']+)'`)
	npyOrderRe = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	npyShapeRe = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

func readNpy(path string) (*tensor.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("npy %s: bad magic", path)
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, fmt.Errorf("npy %s: truncated", path)
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return nil, fmt.Errorf("npy %s: version %d", path, b[6])
	}
	if off+hlen > len(b) {
		return nil, fmt.Errorf("npy %s: truncated header", path)
	}
	h := string(b[off : off+hlen])
	d, o, s := npyDescrRe.FindStringSubmatch(h), npyOrderRe.FindStringSubmatch(h), npyShapeRe.FindStringSubmatch(h)
	if d == nil || o == nil || s == nil || o[1] != "False" {
		return nil, fmt.Errorf("npy %s: unsupported header %q", path, h)
	}
	var dt tensor.DType
	for k, v := range npyDescr {
		if v == d[1] {
			dt = k
		}
	}
	if dt == tensor.Undefined {
		return nil, fmt.Errorf("npy %s: dtype %s not supported", path, d[1])
	}
	var shape []int
	for _, f := range strings.Split(s[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("npy %s: shape %q", path, s[1])
		}
		shape = append(shape, n)
	}
	t, err := tensor.New(dt, shape...)
	if err != nil {
		return nil, fmt.Errorf("npy %s: %w", path, err)
	}
	data := b[off+hlen:]
	if len(data) != t.Len()*dt.Size() {
		return nil, fmt.Errorf("npy %s: %d data bytes, shape %v needs %d", path, len(data), shape, t.Len()*dt.Size())
	}
	le := binary.LittleEndian
	switch dt {
	case tensor.Float32:
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(data[4*i:]))
		}
	case tensor.Int64:
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(data[8*i:]))
		}
	case tensor.Int32:
		for i := range t.I32 {
			t.I32[i] = int32(le.Uint32(data[4*i:]))
		}
	case tensor.Uint8:
		copy(t.U8, data)
	case tensor.Int8:
		for i := range t.I8 {
			t.I8[i] = int8(data[i])
		}
	case tensor.Bool:
		for i := range t.B {
			t.B[i] = data[i] != 0
		}
	}
	return t, nil
}
