package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"fixq/core/tensor"
)

// Read reads one array from r: the header, then exactly the data it
// declares (r may hold more, e.g. several arrays saved in sequence).
func Read(r io.Reader) (*tensor.Tensor, error) {
	h, err := ReadHeader(r)
	if err != nil {
		return nil, err
	}
	raw, err := readData(r, h.DataBytes)
	if err != nil {
		return nil, fmt.Errorf("npy: data of %s%v (%d bytes): %w", h.Descr, h.Shape, h.DataBytes, err)
	}
	t, err := tensor.New(h.DType, h.Shape...)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	decode(t, h, raw)
	return t, nil
}

// readData reads n bytes, growing the buffer as data arrives so a short
// input never causes an allocation of the declared size.
func readData(r io.Reader, n int64) ([]byte, error) {
	const chunk = 1 << 20
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grow := min(n-int64(len(buf)), max(int64(len(buf)), chunk))
			nb := make([]byte, len(buf), int64(len(buf))+grow)
			copy(nb, buf)
			buf = nb
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			if int64(len(buf)) < n {
				return nil, fmt.Errorf("file ends after %d bytes: %w", len(buf), io.ErrUnexpectedEOF)
			}
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

func decode(t *tensor.Tensor, h *Header, raw []byte) {
	le := binary.LittleEndian
	switch {
	case h.DType == tensor.Float32 && h.fileSize == 8:
		for i := range t.F32 {
			t.F32[i] = float32(math.Float64frombits(le.Uint64(raw[8*i:])))
		}
	case h.DType == tensor.Float32:
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case h.DType == tensor.Int64:
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case h.DType == tensor.Int32:
		for i := range t.I32 {
			t.I32[i] = int32(le.Uint32(raw[4*i:]))
		}
	case h.DType == tensor.Int8:
		for i := range t.I8 {
			t.I8[i] = int8(raw[i])
		}
	case h.DType == tensor.Uint8:
		copy(t.U8, raw)
	case h.DType == tensor.Bool:
		for i := range t.B {
			t.B[i] = raw[i] != 0
		}
	}
}
