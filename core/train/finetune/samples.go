package finetune

import (
	"context"
	"fmt"

	"fixq/core/prep"
	"fixq/core/tensor"
)

// DatasetSamples serves a labelled prep.Dataset (an ImageFolder) as
// training samples: each batch loads, decodes and preprocesses its images.
type DatasetSamples struct {
	D     *prep.Dataset
	Opts  prep.Options
	Geo   prep.InputGeometry
	Input string // the model's input name
}

// Len implements train.Samples.
func (s *DatasetSamples) Len() int { return len(s.D.Entries) }

// Batch implements train.Samples.
func (s *DatasetSamples) Batch(ctx context.Context, idx []int) (map[string]*tensor.Tensor, []int, error) {
	per := s.Geo.C * s.Geo.H * s.Geo.W
	shape := []int{len(idx), s.Geo.C, s.Geo.H, s.Geo.W}
	if s.Opts.Layout == "nhwc" {
		shape = []int{len(idx), s.Geo.H, s.Geo.W, s.Geo.C}
	}
	x, err := tensor.New(tensor.Float32, shape...)
	if err != nil {
		return nil, nil, err
	}
	labels := make([]int, len(idx))
	for k, i := range idx {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if i < 0 || i >= len(s.D.Entries) {
			return nil, nil, fmt.Errorf("sample %d out of range", i)
		}
		e := s.D.Entries[i]
		if e.Label < 0 {
			return nil, nil, fmt.Errorf("%s: no class label (training needs an ImageFolder)", e.Name)
		}
		b, err := e.Load()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		img, err := prep.DecodeImage(b)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		if err := s.Opts.ImageToTensor(x.F32[k*per:(k+1)*per], img, s.Geo); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		labels[k] = e.Label
	}
	return map[string]*tensor.Tensor{s.Input: x}, labels, nil
}
