package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"fixq/core/tensor"
)

// npyBytes builds a version 1.0 .npy by hand from NumPy's format document
// (magic, version, uint16 header length, dict header, data).
func npyBytes(header string, data []byte) []byte {
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(header)))
	return append(append(b, header...), data...)
}

func TestReadNPYHandMade(t *testing.T) {
	var data []byte
	for _, v := range []float32{1, -2.5, float32(math.Inf(1)), 0.1, 3, 4} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	}
	got, err := ReadNPY(bytes.NewReader(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n", data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, -2.5, float32(math.Inf(1)), 0.1, 3, 4}
	if got.DType != tensor.Float32 || !tensor.SameShape(got.Shape, []int{2, 3}) {
		t.Fatalf("got %v %v", got.DType, got.Shape)
	}
	for i := range want {
		if got.F32[i] != want[i] {
			t.Errorf("[%d] = %v, want %v", i, got.F32[i], want[i])
		}
	}
	// A 1-d int64 array and a 0-d scalar.
	v, err := ReadNPY(bytes.NewReader(npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n",
		binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 7), math.MaxUint64))))
	if err != nil || len(v.I64) != 2 || v.I64[0] != 7 || v.I64[1] != -1 {
		t.Errorf("int64: %v %v", v, err)
	}
	s, err := ReadNPY(bytes.NewReader(npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (), }\n", []byte{200})))
	if err != nil || len(s.Shape) != 0 || len(s.U8) != 1 || s.U8[0] != 200 {
		t.Errorf("scalar: %v %v", s, err)
	}
}

func TestReadNPYErrors(t *testing.T) {
	f4 := func(shape string) string {
		return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n"
	}
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "preamble"},
		{"magic", []byte("\x93NUMPX\x01\x00\x00\x00"), "bad magic"},
		{"version", []byte("\x93NUMPY\x09\x00\x00\x00"), "version 9.0"},
		{"header cut", npyBytes(f4("(1,)"), nil)[:20], "header"},
		{"big endian", npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", make([]byte, 4)), "dtype \">f4\""},
		{"fortran", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", make([]byte, 4)), "fortran_order"},
		{"no shape", npyBytes("{'descr': '<f4', 'fortran_order': False}", nil), "no shape"},
		{"bad dim", npyBytes(f4("(2, x)"), nil), "bad dim"},
		{"negative dim", npyBytes(f4("(-2,)"), nil), "bad dim"},
		{"huge", npyBytes(f4("(100000, 100000, 1000)"), nil), "more than 2147483648 elements"},
		{"truncated", npyBytes(f4("(2, 2)"), make([]byte, 15)), "truncated"},
		{"not a dict", npyBytes("descr", nil), "not a dict"},
	}
	for _, c := range cases {
		_, err := ReadNPY(bytes.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// WriteNPY's header must be what NumPy writes (format 1.0, padded so the
// data starts at a multiple of 64): this is numpy.save(np.zeros((2,3),
// np.float32)) byte for byte, header included.
func TestWriteNPYMatchesNumPy(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, tensor.MustNew(tensor.Float32, 2, 3)); err != nil {
		t.Fatal(err)
	}
	wantHead := "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
		strings.Repeat(" ", 58) + "\n"
	if got := buf.String(); got[:128] != wantHead || len(got) != 128+24 {
		t.Errorf("header %q (len %d)", got[:128], len(got))
	}
	for _, src := range []*tensor.Tensor{
		tensor.FromFloat32([]float32{1.5, -0, float32(math.NaN())}, 3),
		{DType: tensor.Int8, Shape: []int{2, 1}, I8: []int8{-128, 127}},
		{DType: tensor.Uint8, Shape: []int{}, U8: []uint8{9}},
	} {
		buf.Reset()
		if err := WriteNPY(&buf, src); err != nil {
			t.Fatal(err)
		}
		if buf.Len()%64 != (src.Len()*src.DType.Size())%64 {
			t.Errorf("%v: data does not start at a multiple of 64", src.Shape)
		}
		got, err := ReadNPY(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got.DType != src.DType || !tensor.SameShape(got.Shape, src.Shape) ||
			fmt.Sprint(got.F32, got.I8, got.U8) != fmt.Sprint(src.F32, src.I8, src.U8) {
			t.Errorf("round trip: %v %v %v %v -> %v %v %v %v", src, src.F32, src.I8, src.U8, got, got.F32, got.I8, got.U8)
		}
	}
}
