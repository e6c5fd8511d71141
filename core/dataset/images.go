package dataset

import (
	"fmt"
	"iter"
	"math"

	"fixq/core/tensor"
)

// Norm is the input normalisation x = (pixel/255 - Mean) / Std, computed in
// float32. Std must be positive: the zero Norm is invalid, not a default,
// because a silent choice of normalisation corrupts every accuracy figure.
type Norm struct {
	Mean, Std float32
}

// Validate reports a Std that is not positive and finite or a Mean that is
// not finite.
func (n Norm) Validate() error {
	if !(n.Std > 0) || math.IsInf(float64(n.Std), 0) || math.IsNaN(float64(n.Mean)) || math.IsInf(float64(n.Mean), 0) {
		return fmt.Errorf("dataset: normalisation mean %v std %v: want a finite mean and a finite std > 0", n.Mean, n.Std)
	}
	return nil
}

// Apply normalises one pixel: float32(p)/255, minus Mean, divided by Std,
// each step rounded to float32 as NumPy does for float32 arrays.
func (n Norm) Apply(p uint8) float32 {
	x := float32(p) / 255
	x -= n.Mean
	return x / n.Std
}

// table is Apply for every byte value, so a batch costs one lookup a pixel.
func (n Norm) table() (t [256]float32) {
	for p := range t {
		t[p] = n.Apply(uint8(p))
	}
	return t
}

// Batch writes images [start, start+count) normalised into dst, which must
// hold exactly count*H*W floats, laid out as [count,1,H,W].
func (im *Images) Batch(dst []float32, start, count int, norm Norm) error {
	if err := norm.Validate(); err != nil {
		return err
	}
	if err := im.checkRange(start, count); err != nil {
		return err
	}
	if want := count * im.H * im.W; len(dst) != want {
		return fmt.Errorf("dataset: batch of %d images of %dx%d needs %d floats, dst has %d", count, im.H, im.W, want, len(dst))
	}
	table := norm.table()
	fill(dst, im.Pix[start*im.H*im.W:], &table)
	return nil
}

func fill(dst []float32, pix []uint8, t *[256]float32) {
	pix = pix[:len(dst)]
	for i, p := range pix {
		dst[i] = t[p]
	}
}

// Validate checks that Pix holds exactly N images of H x W.
func (im *Images) Validate() error {
	if im.N < 0 || im.H <= 0 || im.W <= 0 || len(im.Pix) != im.N*im.H*im.W {
		return fmt.Errorf("dataset: invalid image set: %d images of %dx%d with %d bytes", im.N, im.H, im.W, len(im.Pix))
	}
	return nil
}

func (im *Images) checkRange(start, count int) error {
	if err := im.Validate(); err != nil {
		return err
	}
	if start < 0 || count <= 0 || start > im.N-count {
		return fmt.Errorf("dataset: images [%d, %d+%d) out of range for %d images", start, start, count, im.N)
	}
	return nil
}

// BatchTensor is Batch into a float32 tensor [count,1,H,W]. It reuses t's
// storage when t is non-nil and its backing array is large enough, and
// allocates otherwise; it returns the tensor written.
func (im *Images) BatchTensor(t *tensor.Tensor, start, count int, norm Norm) (*tensor.Tensor, error) {
	if err := im.checkRange(start, count); err != nil {
		return nil, err
	}
	n := count * im.H * im.W
	if t == nil || t.DType != tensor.Float32 || cap(t.F32) < n {
		t = &tensor.Tensor{DType: tensor.Float32, F32: make([]float32, n)}
	}
	t.F32 = t.F32[:n]
	t.Shape = append(t.Shape[:0], count, 1, im.H, im.W)
	if err := im.Batch(t.F32, start, count, norm); err != nil {
		return nil, err
	}
	return t, nil
}

// Batches returns an iterator over the whole set in batches of size images
// (the last batch may be smaller), yielding the index of each batch's first
// image and a float32 tensor [count,1,H,W]. One tensor is reused: it is
// valid only until the next iteration. Its labels are labels[start:start+count].
func (im *Images) Batches(size int, norm Norm) (iter.Seq2[int, *tensor.Tensor], error) {
	if err := norm.Validate(); err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, fmt.Errorf("dataset: batch size %d, want > 0", size)
	}
	if err := im.Validate(); err != nil {
		return nil, err
	}
	table := norm.table()
	return func(yield func(int, *tensor.Tensor) bool) {
		per := im.H * im.W
		buf := make([]float32, min(size, im.N)*per)
		t := &tensor.Tensor{DType: tensor.Float32}
		for start := 0; start < im.N; start += size {
			count := min(size, im.N-start)
			t.F32 = buf[:count*per]
			t.Shape = append(t.Shape[:0], count, 1, im.H, im.W)
			fill(t.F32, im.Pix[start*per:], &table)
			if !yield(start, t) {
				return
			}
		}
	}, nil
}
