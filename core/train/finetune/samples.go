package finetune

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fixq/core/prep"
	"fixq/core/quant"
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

// ReadBatches reads up to limit samples from src (the last batch
// truncated), copying each batch: sources may reuse their tensors.
func ReadBatches(ctx context.Context, src quant.BatchSource, limit int) ([]map[string]*tensor.Tensor, error) {
	var out []map[string]*tensor.Tensor
	n := 0
	for n < limit {
		b, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("calibration data: %w", err)
		}
		size := -1
		cp := make(map[string]*tensor.Tensor, len(b))
		for k, t := range b {
			if t == nil || t.Rank() == 0 {
				return nil, fmt.Errorf("calibration input %q has no batch dimension", k)
			}
			if size >= 0 && t.Shape[0] != size {
				return nil, fmt.Errorf("calibration inputs disagree on the batch size (%d and %d)", size, t.Shape[0])
			}
			size = t.Shape[0]
			cp[k] = t.Clone()
		}
		if size <= 0 {
			continue
		}
		if n+size > limit {
			size = limit - n
			if cp, err = quant.TruncateBatch(cp, size); err != nil {
				return nil, err
			}
		}
		out = append(out, cp)
		n += size
	}
	if n == 0 {
		return nil, fmt.Errorf("no calibration data")
	}
	return out, nil
}
