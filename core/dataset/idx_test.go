package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// idxFile builds an IDX file by hand from the format description
// (00 00 08 ndim, big-endian uint32 dims, data).
func idxFile(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestReadIDXImages(t *testing.T) {
	pix := []byte{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}
	raw := idxFile([]uint32{2, 2, 3}, pix)
	for name, in := range map[string][]byte{"raw": raw, "gzip": gz(raw)} {
		im, err := ReadIDXImages(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if im.N != 2 || im.H != 2 || im.W != 3 || !bytes.Equal(im.Pix, pix) {
			t.Errorf("%s: got %d images %dx%d %v", name, im.N, im.H, im.W, im.Pix)
		}
		if got := im.Image(1); !bytes.Equal(got, pix[6:]) {
			t.Errorf("%s: Image(1) = %v", name, got)
		}
	}
}

func TestReadIDXLabels(t *testing.T) {
	labels, err := ReadIDXLabels(bytes.NewReader(gz(idxFile([]uint32{4}, []byte{9, 2, 1, 1}))))
	if err != nil || !bytes.Equal(labels, []byte{9, 2, 1, 1}) {
		t.Fatalf("got %v, %v", labels, err)
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxFile([]uint32{2, 2, 2}, make([]byte, 8))
	corruptGzip := gz(good)
	corruptGzip[len(corruptGzip)-6] ^= 0xff // CRC-32 in the gzip trailer
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "header"},
		{"short header", []byte{0, 0, 8}, "header"},
		{"bad magic", append([]byte{1, 0}, good[2:]...), "bad magic"},
		{"float type", append([]byte{0, 0, 0x0d}, good[3:]...), "data type 0x0d"},
		{"no dims", []byte{0, 0, 8, 0}, "0 dims"},
		{"dims cut", good[:9], "header of 3 dims"},
		{"zero dim", idxFile([]uint32{2, 0, 2}, nil), "dim 1 is 0"},
		{"huge", idxFile([]uint32{60000, 28000, 28000}, nil), "more than"},
		{"huge dim", idxFile([]uint32{0xffffffff}, nil), "more than"},
		{"truncated", good[:len(good)-1], "truncated: got 7 of 8"},
		{"trailing", append(good[:len(good):len(good)], 7), "trailing"},
		{"bad gzip", []byte{0x1f, 0x8b, 1, 2}, "gzip"},
		{"gzip checksum", corruptGzip, "checksum"},
		{"labels as images", idxFile([]uint32{3}, []byte{1, 2, 3}), "want 3"},
	}
	for _, c := range cases {
		_, err := ReadIDXImages(bytes.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	if _, err := ReadIDXLabels(bytes.NewReader(good)); err == nil || !strings.Contains(err.Error(), "want 1") {
		t.Errorf("images as labels: err = %v", err)
	}
	_, err := ReadIDXImages(bytes.NewReader(good[:len(good)-1]))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: err = %v, want it to wrap io.ErrUnexpectedEOF", err)
	}
}

// A header claiming 200 MB over a stream of a few bytes must not allocate
// the 200 MB.
func TestReadIDXLyingHeaderAllocatesLittle(t *testing.T) {
	in := idxFile([]uint32{200, 1000, 1000}, make([]byte, 10))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadIDX(bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("err = %v, want truncated", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("reading a 10-byte body under a 200 MB header allocated %d MB", grew>>20)
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxFile([]uint32{2, 2, 2}, make([]byte, 8)))
	f.Add(gz(idxFile([]uint32{3}, []byte{1, 2, 3})))
	f.Fuzz(func(t *testing.T, b []byte) {
		data, dims, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if len(data) != n {
			t.Fatalf("dims %v but %d bytes", dims, len(data))
		}
	})
}
