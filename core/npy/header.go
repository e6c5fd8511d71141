package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"fixq/core/tensor"
)

// Magic starts every .npy file.
const Magic = "\x93NUMPY"

// MaxHeaderBytes bounds the header (NumPy itself reads at most 10000
// bytes by default).
const MaxHeaderBytes = 1 << 16

// maxRank bounds the number of dims (NumPy allows 32; 64 from NumPy 2).
const maxRank = 64

// Header is the parsed header of a .npy file.
type Header struct {
	Major, Minor byte
	// Descr is the NumPy dtype string, e.g. "<f4".
	Descr string
	// DType is the tensor type the data is read into (float32 for <f8).
	DType tensor.DType
	Shape []int
	// DataBytes is the size of the array data that follows the header.
	DataBytes int64
	// fileSize is the element size in the file.
	fileSize int
}

// descrs maps accepted dtype strings to (tensor type, bytes per element).
// One-byte types have no byte order; NumPy writes '|' but '<', '>' and
// '=' are harmless for them.
var descrs = map[string]struct {
	dt   tensor.DType
	size int
}{
	"<f4": {tensor.Float32, 4}, "<f8": {tensor.Float32, 8},
	"<i8": {tensor.Int64, 8}, "<i4": {tensor.Int32, 4},
	"|i1": {tensor.Int8, 1}, "|u1": {tensor.Uint8, 1}, "|b1": {tensor.Bool, 1},
}

// ReadHeader reads the magic, version and header of a .npy file from r,
// leaving r at the start of the data.
func ReadHeader(r io.Reader) (*Header, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("npy: header: %w", eofIsUnexpected(err))
	}
	if string(pre[:6]) != Magic {
		return nil, fmt.Errorf("npy: header: not a .npy file (magic %q)", pre[:6])
	}
	h := &Header{Major: pre[6], Minor: pre[7]}
	var hlen int
	switch h.Major {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("npy: header: %w", eofIsUnexpected(err))
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("npy: header: %w", eofIsUnexpected(err))
		}
		n := binary.LittleEndian.Uint32(b[:])
		if n > MaxHeaderBytes {
			return nil, fmt.Errorf("npy: header: %d bytes long, more than %d", n, MaxHeaderBytes)
		}
		hlen = int(n)
	default:
		return nil, fmt.Errorf("npy: header: format version %d.%d is not supported (1.0, 2.0 and 3.0 are)", h.Major, h.Minor)
	}
	if h.Minor != 0 {
		return nil, fmt.Errorf("npy: header: format version %d.%d is not supported (1.0, 2.0 and 3.0 are)", h.Major, h.Minor)
	}
	text := make([]byte, hlen)
	if _, err := io.ReadFull(r, text); err != nil {
		return nil, fmt.Errorf("npy: header: %w", eofIsUnexpected(err))
	}
	if err := h.parse(text); err != nil {
		return nil, fmt.Errorf("npy: header: %w", err)
	}
	return h, nil
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parse reads the Python dict literal of the header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
func (h *Header) parse(text []byte) error {
	if h.Major < 3 {
		for _, c := range text {
			if c >= 0x80 {
				return fmt.Errorf("non-ASCII byte in a version %d.0 header", h.Major)
			}
		}
	}
	text = bytes.TrimRight(text, " \n\x00")
	p := &dictParser{s: string(text)}
	fields, err := p.dict()
	if err != nil {
		return err
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if _, ok := fields[k]; !ok {
			return fmt.Errorf("key %q is missing", k)
		}
	}
	if len(fields) != 3 {
		return fmt.Errorf("unexpected keys (want exactly descr, fortran_order, shape): %v", keys(fields))
	}
	descr, ok := fields["descr"].(string)
	if !ok {
		return fmt.Errorf("descr is %v, not a dtype string (structured dtypes are not supported)", fields["descr"])
	}
	h.Descr = descr
	if err := h.setDType(descr); err != nil {
		return err
	}
	fo, ok := fields["fortran_order"].(bool)
	if !ok {
		return fmt.Errorf("fortran_order is %v, not True or False", fields["fortran_order"])
	}
	if fo {
		return fmt.Errorf("fortran_order is True: only C-order arrays are supported (save np.ascontiguousarray(a))")
	}
	dims, ok := fields["shape"].([]int64)
	if !ok {
		return fmt.Errorf("shape is %v, not a tuple of integers", fields["shape"])
	}
	if len(dims) > maxRank {
		return fmt.Errorf("shape has %d dims, more than %d", len(dims), maxRank)
	}
	h.Shape = make([]int, len(dims))
	for i, d := range dims {
		if d < 0 || d > tensor.MaxElements {
			return fmt.Errorf("shape %v: dim %d is %d", dims, i, d)
		}
		h.Shape[i] = int(d)
	}
	n, err := tensor.NumElements(h.Shape)
	if err != nil {
		return err
	}
	h.DataBytes = int64(n) * int64(h.fileSize)
	return nil
}

func (h *Header) setDType(descr string) error {
	d := descr
	if len(d) == 3 && d[2] == '1' && strings.ContainsRune("<>=|", rune(d[0])) {
		d = "|" + d[1:]
	}
	if e, ok := descrs[d]; ok {
		h.DType, h.fileSize = e.dt, e.size
		return nil
	}
	if len(d) > 0 && d[0] == '>' {
		return fmt.Errorf("dtype %q is big-endian; save a little-endian array (a.astype(a.dtype.newbyteorder('<')))", descr)
	}
	return fmt.Errorf("dtype %q is not supported (want <f4, <f8, <i8, <i4, |i1, |u1 or |b1)", descr)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// dictParser parses the subset of Python literals .npy headers use:
// a dict with string keys and values that are strings, True/False,
// or tuples of integers.
type dictParser struct {
	s   string
	pos int
}

func (p *dictParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *dictParser) skipSpace() {
	for p.pos < len(p.s) && strings.ContainsRune(" \t\n\r", rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *dictParser) eat(c byte) bool {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *dictParser) dict() (map[string]any, error) {
	if !p.eat('{') {
		return nil, p.errorf("want '{'")
	}
	out := map[string]any{}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, p.errorf("key %q appears twice", key)
		}
		if !p.eat(':') {
			return nil, p.errorf("want ':' after key %q", key)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out[key] = v
		if !p.eat(',') {
			if !p.eat('}') {
				return nil, p.errorf("want ',' or '}'")
			}
			break
		}
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected text after the dict: %q", p.s[p.pos:])
	}
	return out, nil
}

func (p *dictParser) str() (string, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || (p.s[p.pos] != '\'' && p.s[p.pos] != '"') {
		return "", p.errorf("want a quoted string")
	}
	q := p.s[p.pos]
	end := strings.IndexByte(p.s[p.pos+1:], q)
	if end < 0 {
		return "", p.errorf("unterminated string")
	}
	s := p.s[p.pos+1 : p.pos+1+end]
	if strings.ContainsRune(s, '\\') {
		return "", p.errorf("escapes in strings are not supported")
	}
	p.pos += end + 2
	return s, nil
}

func (p *dictParser) value() (any, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, p.errorf("want a value")
	}
	switch c := p.s[p.pos]; {
	case c == '\'' || c == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.pos:], "True"):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(p.s[p.pos:], "False"):
		p.pos += 5
		return false, nil
	case c == '(':
		return p.tuple()
	case c == '[':
		return nil, p.errorf("lists are not supported (structured dtype?)")
	}
	return nil, p.errorf("unexpected %q", p.s[p.pos])
}

// tuple parses (), (3,) or (2, 3) into []int64.
func (p *dictParser) tuple() ([]int64, error) {
	p.pos++ // '('
	out := []int64{}
	for !p.eat(')') {
		p.skipSpace()
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		if p.pos == start {
			return nil, p.errorf("want a non-negative integer in the shape")
		}
		if p.pos-start > 19 {
			return nil, p.errorf("shape integer %s is too large", p.s[start:p.pos])
		}
		v, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
		if err != nil {
			return nil, p.errorf("shape integer %s: %v", p.s[start:p.pos], err)
		}
		if p.pos < len(p.s) && p.s[p.pos] == 'L' { // Python 2 long
			p.pos++
		}
		out = append(out, v)
		if len(out) > maxRank {
			return nil, p.errorf("shape has more than %d dims", maxRank)
		}
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, p.errorf("want ',' or ')' in the shape")
			}
			break
		}
	}
	return out, nil
}
