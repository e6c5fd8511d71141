package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// MaxIDXBytes bounds the data of one IDX file (256 MiB; Fashion-MNIST's
// 60000 train images are 47 MB).
const MaxIDXBytes = 1 << 28

// idxUnsignedByte is the IDX type code of uint8 data, the only one fixq reads.
const idxUnsignedByte = 0x08

// Images holds N grayscale images of H x W pixels, one byte each.
type Images struct {
	N, H, W int
	// Pix holds the images one after another, each row-major:
	// pixel (i, y, x) is Pix[(i*H+y)*W+x]. len(Pix) == N*H*W.
	Pix []uint8
}

// Image returns the pixels of image i (not copied).
func (im *Images) Image(i int) []uint8 {
	n := im.H * im.W
	return im.Pix[i*n : (i+1)*n]
}

// ReadIDXImages reads an IDX file of uint8 images (dims N, H, W), gzipped
// or not, as Fashion-MNIST's *-images-idx3-ubyte(.gz).
func ReadIDXImages(r io.Reader) (*Images, error) {
	data, dims, err := ReadIDX(r)
	if err != nil {
		return nil, err
	}
	if len(dims) != 3 {
		return nil, fmt.Errorf("idx: images file has %d dims %v, want 3 (N, H, W)", len(dims), dims)
	}
	return &Images{N: dims[0], H: dims[1], W: dims[2], Pix: data}, nil
}

// ReadIDXLabels reads an IDX file of uint8 labels (one dim), gzipped or
// not, as Fashion-MNIST's *-labels-idx1-ubyte(.gz).
func ReadIDXLabels(r io.Reader) ([]uint8, error) {
	data, dims, err := ReadIDX(r)
	if err != nil {
		return nil, err
	}
	if len(dims) != 1 {
		return nil, fmt.Errorf("idx: labels file has %d dims %v, want 1", len(dims), dims)
	}
	return data, nil
}

// ReadIDX reads a uint8 IDX file: a header of two zero bytes, the type code
// 0x08, the number of dims, then each dim as a big-endian uint32, then the
// data. Gzipped input (magic 1f 8b) is decompressed on the fly. The header
// is checked (dims, total size at most MaxIDXBytes) before the data is
// allocated; missing or trailing data is an error.
func ReadIDX(r io.Reader) (data []uint8, dims []int, err error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("idx: gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	dims, size, err := readIDXHeader(br)
	if err != nil {
		return nil, nil, err
	}
	data, err = readExactly(br, size)
	if err != nil {
		return nil, nil, fmt.Errorf("idx: data of shape %v: %w", dims, err)
	}
	if n, _ := br.Read(make([]byte, 1)); n > 0 {
		return nil, nil, fmt.Errorf("idx: trailing bytes after %d bytes of data of shape %v", size, dims)
	}
	// A gzip stream reports a checksum error only once read to the end.
	if _, err := br.Peek(1); err != nil && err != io.EOF {
		return nil, nil, fmt.Errorf("idx: %w", err)
	}
	return data, dims, nil
}

func readIDXHeader(r io.Reader) (dims []int, size int, err error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, 0, fmt.Errorf("idx: header: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, 0, fmt.Errorf("idx: bad magic % x, want 00 00 (not an IDX file)", head[:2])
	}
	if head[2] != idxUnsignedByte {
		return nil, 0, fmt.Errorf("idx: data type 0x%02x, only unsigned byte (0x08) is supported", head[2])
	}
	ndim := int(head[3])
	if ndim == 0 {
		return nil, 0, errors.New("idx: header has 0 dims")
	}
	raw := make([]byte, 4*ndim)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, 0, fmt.Errorf("idx: header of %d dims: %w", ndim, noEOF(err))
	}
	dims = make([]int, ndim)
	size = 1
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4*i:])
		if d == 0 {
			return nil, 0, fmt.Errorf("idx: dim %d is 0", i)
		}
		if uint64(d) > MaxIDXBytes || uint64(size)*uint64(d) > MaxIDXBytes {
			return nil, 0, fmt.Errorf("idx: dims %v... hold more than %d bytes", append(dims[:i:i], int(d)), MaxIDXBytes)
		}
		dims[i] = int(d)
		size *= int(d)
	}
	return dims, size, nil
}

// readExactly reads size bytes, growing the buffer in chunks so that a
// header claiming far more data than the stream holds costs no more memory
// than the data actually present.
func readExactly(r io.Reader, size int) ([]byte, error) {
	const chunk = 8 << 20
	buf := make([]byte, 0, min(size, chunk))
	for len(buf) < size {
		n := min(size-len(buf), chunk)
		buf = slices.Grow(buf, n)
		got, err := io.ReadFull(r, buf[len(buf):len(buf)+n])
		buf = buf[:len(buf)+got]
		if err != nil {
			return nil, fmt.Errorf("truncated: got %d of %d bytes: %w", len(buf), size, noEOF(err))
		}
	}
	return buf, nil
}

// noEOF turns a bare io.EOF (nothing read where data was due) into
// io.ErrUnexpectedEOF: for a file that ends early, both mean truncation.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
