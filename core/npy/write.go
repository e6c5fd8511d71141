package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"fixq/core/tensor"
)

// descrOf is the dtype string Write uses for each tensor type.
var descrOf = map[tensor.DType]string{
	tensor.Float32: "<f4", tensor.Int64: "<i8", tensor.Int32: "<i4",
	tensor.Int8: "|i1", tensor.Uint8: "|u1", tensor.Bool: "|b1",
}

// Write writes t as a .npy file: format 1.0 (2.0 if the header needs
// more than 64 KiB), the header padded to a multiple of 64 bytes like
// NumPy does.
func Write(w io.Writer, t *tensor.Tensor) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("npy: write: %w", err)
	}
	hdr := header(t)
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("npy: write: %w", err)
	}
	le := binary.LittleEndian
	size := t.DType.Size()
	buf := make([]byte, 0, min(t.Len()*size, 1<<16))
	flush := func(force bool) error {
		if len(buf) == 0 || (!force && len(buf)+8 <= cap(buf)) {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	for i := 0; i < t.Len(); i++ {
		switch t.DType {
		case tensor.Float32:
			buf = le.AppendUint32(buf, math.Float32bits(t.F32[i]))
		case tensor.Int64:
			buf = le.AppendUint64(buf, uint64(t.I64[i]))
		case tensor.Int32:
			buf = le.AppendUint32(buf, uint32(t.I32[i]))
		case tensor.Int8:
			buf = append(buf, byte(t.I8[i]))
		case tensor.Uint8:
			buf = append(buf, t.U8[i])
		case tensor.Bool:
			b := byte(0)
			if t.B[i] {
				b = 1
			}
			buf = append(buf, b)
		}
		if err := flush(false); err != nil {
			return fmt.Errorf("npy: write: %w", err)
		}
	}
	if err := flush(true); err != nil {
		return fmt.Errorf("npy: write: %w", err)
	}
	return nil
}

// header formats the magic, version, length and dict like numpy.save.
func header(t *tensor.Tensor) []byte {
	var shape strings.Builder
	shape.WriteByte('(')
	for i, d := range t.Shape {
		if i > 0 {
			shape.WriteString(", ")
		}
		fmt.Fprint(&shape, d)
	}
	if len(t.Shape) == 1 {
		shape.WriteByte(',')
	}
	shape.WriteByte(')')
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descrOf[t.DType], shape.String())
	major, lenBytes := byte(1), 2
	if len(Magic)+2+2+len(dict)+1 > 1<<16-1 {
		major, lenBytes = 2, 4
	}
	pre := len(Magic) + 2 + lenBytes
	total := (pre + len(dict) + 1 + 63) / 64 * 64
	text := dict + strings.Repeat(" ", total-pre-len(dict)-1) + "\n"
	out := append([]byte(Magic), major, 0)
	if lenBytes == 2 {
		out = binary.LittleEndian.AppendUint16(out, uint16(len(text)))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(text)))
	}
	return append(out, text...)
}
