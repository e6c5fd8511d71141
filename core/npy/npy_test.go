package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// The arrays of these tests hold values given by a formula of the flat
// index i, written once in Python (numpyFormulas) and once in Go (want).
const numpyFormulas = `
import numpy as np
def values(code, n):
    i = np.arange(n)
    return {
        "f4": (i * 0.25 - 3).astype("<f4"),
        "f8": (i / 3.0).astype("<f8"),
        "i8": (i * 1000000000000 - 7).astype("<i8"),
        "i4": (i * 100000 - 50).astype("<i4"),
        "i1": ((i * 37) % 256 - 128).astype("|i1"),
        "u1": ((i * 37) % 256).astype("|u1"),
        "b1": (i % 3 == 0),
    }[code]
`

var codes = []string{"f4", "f8", "i8", "i4", "i1", "u1", "b1"}

var shapes = [][]int{{2, 3, 4}, {5}, {}, {0, 3}}

// want builds the expected tensor for a dtype code and shape.
func want(code string, shape []int) *tensor.Tensor {
	dt := map[string]tensor.DType{"f4": tensor.Float32, "f8": tensor.Float32, "i8": tensor.Int64, "i4": tensor.Int32,
		"i1": tensor.Int8, "u1": tensor.Uint8, "b1": tensor.Bool}[code]
	t := tensor.MustNew(dt, shape...)
	for i := 0; i < t.Len(); i++ {
		switch code {
		case "f4":
			t.F32[i] = float32(i)*0.25 - 3
		case "f8":
			t.F32[i] = float32(float64(i) / 3.0)
		case "i8":
			t.I64[i] = int64(i)*1000000000000 - 7
		case "i4":
			t.I32[i] = int32(i)*100000 - 50
		case "i1":
			t.I8[i] = int8((i*37)%256 - 128)
		case "u1":
			t.U8[i] = uint8((i * 37) % 256)
		case "b1":
			t.B[i] = i%3 == 0
		}
	}
	return t
}

func pyShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 0 {
		return "()"
	}
	return "(" + strings.Join(parts, ",") + ",)"
}

func python(t *testing.T, script string) string {
	t.Helper()
	cmd := exec.Command(testassets.Python(t), "-c", numpyFormulas+script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return string(out)
}

func readFile(path string) (*tensor.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}

// TestReadNumpyFiles reads arrays numpy wrote in format versions 1.0, 2.0
// and 3.0 for every dtype and several shapes (scalar, 1-D, empty).
func TestReadNumpyFiles(t *testing.T) {
	dir := t.TempDir()
	var script strings.Builder
	script.WriteString("import numpy.lib.format as fmt\n")
	for _, c := range codes {
		for si, s := range shapes {
			for _, v := range []string{"1", "2", "3"} {
				fmt.Fprintf(&script, "a = values(%q, %d).reshape(%s)\n", c, tensor.MustNew(tensor.Float32, s...).Len(), pyShape(s))
				fmt.Fprintf(&script, "with open(%q, 'wb') as f: fmt.write_array(f, a, version=(%s, 0))\n",
					filepath.Join(dir, fmt.Sprintf("%s_%d_v%s.npy", c, si, v)), v)
			}
		}
	}
	python(t, script.String())
	n := 0
	for _, c := range codes {
		for si, s := range shapes {
			for _, v := range []string{"1", "2", "3"} {
				path := filepath.Join(dir, fmt.Sprintf("%s_%d_v%s.npy", c, si, v))
				got, err := readFile(path)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if d := diff(got, want(c, s)); d != "" {
					t.Errorf("%s: %s", filepath.Base(path), d)
				}
				n++
			}
		}
	}
	t.Logf("read %d numpy-written files", n)
}

// TestWriteNumpyReads: numpy loads what Write produces and finds the
// values of the formula, with the dtype string and shape we meant.
func TestWriteNumpyReads(t *testing.T) {
	dir := t.TempDir()
	var script strings.Builder
	script.WriteString("import sys\n")
	for _, c := range codes {
		if c == "f8" {
			continue // written back as float32
		}
		for si, s := range shapes {
			path := filepath.Join(dir, fmt.Sprintf("%s_%d.npy", c, si))
			var buf bytes.Buffer
			if err := Write(&buf, want(c, s)); err != nil {
				t.Fatal(err)
			}
			if buf.Len()%64 != 0 && (buf.Len()-want(c, s).Len()*want(c, s).DType.Size())%64 != 0 {
				t.Errorf("%s: header not padded to 64 bytes", path)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			n := want(c, s).Len()
			fmt.Fprintf(&script, "a = np.load(%q)\n", path)
			fmt.Fprintf(&script, "e = values(%q, %d).reshape(%s)\n", c, n, pyShape(s))
			fmt.Fprintf(&script, "ok = a.dtype.str == e.dtype.str and a.shape == e.shape and a.flags['C_CONTIGUOUS'] and (a == e).all()\n")
			fmt.Fprintf(&script, "print(%q, ok, a.dtype.str, a.shape)\n", filepath.Base(path))
		}
	}
	out := python(t, script.String())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != (len(codes)-1)*len(shapes) {
		t.Fatalf("numpy checked %d files, want %d:\n%s", len(lines), (len(codes)-1)*len(shapes), out)
	}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) < 2 || f[1] != "True" {
			t.Errorf("numpy disagrees: %s", l)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, c := range codes {
		for _, s := range shapes {
			in := want(c, s)
			var buf bytes.Buffer
			if err := Write(&buf, in); err != nil {
				t.Fatal(err)
			}
			buf.WriteString("trailing data stays unread")
			got, err := Read(&buf)
			if err != nil {
				t.Fatalf("%s %v: %v", c, s, err)
			}
			if d := diff(got, in); d != "" {
				t.Errorf("%s %v: %s", c, s, d)
			}
			if buf.String() != "trailing data stays unread" {
				t.Errorf("%s %v: Read consumed past the array", c, s)
			}
		}
	}
	// NaN and infinities keep their bits.
	in := tensor.FromFloat32([]float32{float32(math.NaN()), float32(math.Inf(-1)), -0.0, math.MaxFloat32}, 4)
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil || diff(got, in) != "" {
		t.Fatalf("special floats: %v %s", err, diff(got, in))
	}
}

// TestNumpyRefusals: files numpy writes that fixq cannot take.
func TestNumpyRefusals(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct{ py, want string }{
		"fortran":    {"np.asfortranarray(np.zeros((2, 3), '<f4'))", "fortran_order is True"},
		"bigendian":  {"np.zeros((2, 3), '>f4')", "big-endian"},
		"float16":    {"np.zeros(3, '<f2')", `"<f2" is not supported`},
		"structured": {"np.zeros(3, [('a', '<f4'), ('b', '<i4')])", "structured"},
		"complex":    {"np.zeros(3, '<c8')", `"<c8" is not supported`},
		"uint16":     {"np.zeros(3, '<u2')", `"<u2" is not supported`},
	}
	var script strings.Builder
	for name, c := range cases {
		fmt.Fprintf(&script, "np.save(%q, %s)\n", filepath.Join(dir, name+".npy"), c.py)
	}
	python(t, script.String())
	for name, c := range cases {
		_, err := readFile(filepath.Join(dir, name+".npy"))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "npy: header: ") {
			t.Errorf("%s: got %v, want an npy: header: error containing %q", name, err, c.want)
		}
	}
}

// file builds a version-1.0 .npy file from a header text and data.
func file(dict string, data []byte) []byte {
	b := append([]byte(Magic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	return append(append(b, dict...), data...)
}

func TestBadHeaders(t *testing.T) {
	ok := "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
	eight := make([]byte, 8)
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "npy: header: unexpected EOF"},
		{"bad magic", []byte("\x93NUMPZ\x01\x00\x00\x00"), "not a .npy file"},
		{"version 4", append([]byte(Magic), 4, 0, 0, 0, 0, 0), "version 4.0"},
		{"version 1.1", append([]byte(Magic), 1, 1, 0, 0), "version 1.1"},
		{"header cut", file(ok, nil)[:20], "unexpected EOF"},
		{"v2 header too long", append(append([]byte(Magic), 2, 0), 0xff, 0xff, 0xff, 0x7f), "more than"},
		{"not a dict", file("[1, 2]", eight), "want '{'"},
		{"missing shape", file("{'descr': '<f4', 'fortran_order': False}", eight), `"shape" is missing`},
		{"extra key", file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", eight), "unexpected"},
		{"duplicate key", file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", eight), "twice"},
		{"fortran not bool", file("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", eight), "unexpected"},
		{"negative dim", file("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", eight), "non-negative integer"},
		{"dim not int", file("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}", eight), "want ',' or ')'"},
		{"huge dim", file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", eight), "too large"},
		{"too many elements", file("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536),}", eight), "more than"},
		{"unterminated string", file("{'descr: '<f4'", eight), "want ':'"},
		{"non-ascii v1", file("{'descr': '<f4\xc3\xa9', 'fortran_order': False, 'shape': (2,)}", eight), "non-ASCII"},
		{"shape is a string", file("{'descr': '<f4', 'fortran_order': False, 'shape': '2'}", eight), "not a tuple"},
		{"trailing junk", file(ok+" junk", eight), "after the dict"},
		{"data short", file(ok, eight[:5]), "file ends after 5 bytes"},
	}
	for _, c := range cases {
		_, err := Read(bytes.NewReader(c.b))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "npy: ") {
			t.Errorf("%s: got %v, want an npy error containing %q", c.name, err, c.want)
		}
	}
	if _, err := Read(bytes.NewReader(file(ok, eight))); err != nil {
		t.Errorf("the valid control case fails: %v", err)
	}
}

// TestHugeClaimBoundedAllocation: a 100-byte file claiming 2^31 floats
// fails at its end having allocated little.
func TestHugeClaimBoundedAllocation(t *testing.T) {
	b := file("{'descr': '<f4', 'fortran_order': False, 'shape': (32768, 65536), }", make([]byte, 16))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(b))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "file ends after 16 bytes") {
		t.Fatalf("got %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 2<<20 {
		t.Errorf("allocated %d bytes for a %d-byte file", got, len(b))
	}
}

// TestMutatedFilesNoPanic flips bytes of valid files: Read returns an
// error or a valid tensor, never panics.
func TestMutatedFilesNoPanic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, c := range codes {
		var buf bytes.Buffer
		if err := Write(&buf, want(c, []int{2, 3})); err != nil {
			t.Fatal(err)
		}
		good := buf.Bytes()
		for i := 0; i < 3000; i++ {
			b := bytes.Clone(good)
			for k := 0; k < 1+rng.Intn(3); k++ {
				b[rng.Intn(len(b))] = byte(rng.Intn(256))
			}
			b = b[:rng.Intn(len(b)+1)]
			got, err := Read(bytes.NewReader(b))
			if err == nil {
				if verr := got.Validate(); verr != nil {
					t.Fatalf("invalid tensor from %q: %v", b, verr)
				}
			}
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, c := range codes {
		var buf bytes.Buffer
		if err := Write(&buf, want(c, []int{2, 3})); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, got); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&buf)
		if err != nil || diff(again, got) != "" {
			t.Fatalf("round trip: %v %s", err, diff(again, got))
		}
	})
}

// diff compares tensors exactly (floats by bits).
func diff(a, b *tensor.Tensor) string {
	if a.DType != b.DType || !tensor.SameShape(a.Shape, b.Shape) {
		return fmt.Sprintf("got %v, want %v", a, b)
	}
	for i := 0; i < a.Len(); i++ {
		var x, y any
		switch a.DType {
		case tensor.Float32:
			x, y = math.Float32bits(a.F32[i]), math.Float32bits(b.F32[i])
		case tensor.Int64:
			x, y = a.I64[i], b.I64[i]
		case tensor.Int32:
			x, y = a.I32[i], b.I32[i]
		case tensor.Int8:
			x, y = a.I8[i], b.I8[i]
		case tensor.Uint8:
			x, y = a.U8[i], b.U8[i]
		case tensor.Bool:
			x, y = a.B[i], b.B[i]
		}
		if x != y {
			return fmt.Sprintf("element %d: got %v, want %v", i, x, y)
		}
	}
	return ""
}
