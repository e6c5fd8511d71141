package quant

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// BatchSource streams calibration (or evaluation) batches: each call gives
// one batch of model inputs keyed by input name, every tensor with the
// batch on dim 0. It returns io.EOF (and no batch) after the last one.
// The job layer adapts image folders and .npy files to it.
type BatchSource interface {
	Next(ctx context.Context) (map[string]*tensor.Tensor, error)
}

// Rewinder is an optional BatchSource method: start again from the first
// batch. Quantize needs a second pass over the calibration data for the
// report (and bias correction); without Rewind it keeps the (at most
// CalibSize) calibration samples in memory instead.
type Rewinder interface {
	Rewind() error
}

// ProgressFunc reports progress: stage is "prepare", "calibrate",
// "report" or "export"; done of total units (samples, or 0/1).
type ProgressFunc func(stage string, done, total int)

// SliceSource is a BatchSource over batches held in memory.
type SliceSource struct {
	Batches []map[string]*tensor.Tensor
	next    int
}

// Next implements BatchSource.
func (s *SliceSource) Next(ctx context.Context) (map[string]*tensor.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.next >= len(s.Batches) {
		return nil, io.EOF
	}
	s.next++
	return s.Batches[s.next-1], nil
}

// Rewind implements Rewinder.
func (s *SliceSource) Rewind() error { s.next = 0; return nil }

// batchSize is dim 0 of the first declared graph input present in batch.
func batchSize(g *graph.Graph, batch map[string]*tensor.Tensor) (int, error) {
	for _, vi := range g.Inputs {
		t, ok := batch[vi.Name]
		if !ok {
			return 0, fmt.Errorf("quant: calibration batch lacks input %q", vi.Name)
		}
		if t == nil || len(t.Shape) == 0 {
			return 0, fmt.Errorf("quant: calibration input %q has no batch dimension", vi.Name)
		}
		return t.Shape[0], nil
	}
	return 0, fmt.Errorf("quant: model has no inputs")
}

// TruncateBatch keeps the first n samples (dim 0) of every input,
// sharing storage.
func TruncateBatch(batch map[string]*tensor.Tensor, n int) (map[string]*tensor.Tensor, error) {
	out := make(map[string]*tensor.Tensor, len(batch))
	for k, t := range batch {
		if len(t.Shape) == 0 || t.Shape[0] <= n {
			out[k] = t
			continue
		}
		c, err := sliceSamples(k, t, 0, n)
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, nil
}

// sliceSamples is samples [lo, hi) (dim 0) of input k's tensor t,
// sharing storage.
func sliceSamples(k string, t *tensor.Tensor, lo, hi int) (*tensor.Tensor, error) {
	per := t.Len() / t.Shape[0]
	c := &tensor.Tensor{DType: t.DType, Shape: append([]int{hi - lo}, t.Shape[1:]...)}
	switch t.DType {
	case tensor.Float32:
		c.F32 = t.F32[lo*per : hi*per]
	case tensor.Int64:
		c.I64 = t.I64[lo*per : hi*per]
	default:
		return nil, fmt.Errorf("quant: calibration input %q: cannot slice %v", k, t.DType)
	}
	return c, nil
}

// batchReader draws at most limit samples from a source, counting them,
// truncating the last batch, and remembering what it read when the source
// cannot rewind.
type batchReader struct {
	src     BatchSource
	g       *graph.Graph
	limit   int
	done    int
	keep    bool
	kept    []map[string]*tensor.Tensor
	pending map[string]*tensor.Tensor // a batch read ahead (the probe batch)
}

func (r *batchReader) next(ctx context.Context) (map[string]*tensor.Tensor, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if r.done >= r.limit {
		return nil, 0, io.EOF
	}
	b := r.pending
	r.pending = nil
	if b == nil {
		var err error
		if b, err = r.src.Next(ctx); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			return nil, 0, fmt.Errorf("quant: calibration data: %w", err)
		}
	}
	n, err := batchSize(r.g, b)
	if err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("quant: calibration batch %d is empty", len(r.kept))
	}
	if r.done+n > r.limit {
		n = r.limit - r.done
		if b, err = TruncateBatch(b, n); err != nil {
			return nil, 0, err
		}
	}
	r.done += n
	if r.keep {
		cp := make(map[string]*tensor.Tensor, len(b))
		for k, t := range b {
			cp[k] = t.Clone() // the source may reuse its tensors
		}
		r.kept = append(r.kept, cp)
	}
	return b, n, nil
}

// replay returns a source over the calibration samples again: the
// rewound source, or the kept batches.
func (r *batchReader) replay() (*batchReader, error) {
	if r.keep {
		return &batchReader{src: &SliceSource{Batches: r.kept}, g: r.g, limit: r.done}, nil
	}
	if err := r.src.(Rewinder).Rewind(); err != nil {
		return nil, fmt.Errorf("quant: rewinding the calibration data: %w", err)
	}
	return &batchReader{src: r.src, g: r.g, limit: r.done}, nil
}

// calibrate runs the simulator over the calibration batches with the
// quantized prefix (vai_q_pytorch's calibration, see doc.go): for every
// input and activation point, each batch gives a fix_pos by the point's
// method, and the point is quantized at the mode so far, so later layers
// see what they will see after quantization. It returns the sample count.
func calibrate(ctx context.Context, s *Simulator, r *batchReader, progress ProgressFunc) (int, error) {
	s.observe = func(pt *Point, data []float32) {
		if pt.Inherit != "" {
			return
		}
		pt.hist.add(SearchFixPos(data, pt.Method.scope(), pt.Round))
		pt.FixPos, _ = pt.hist.mode()
	}
	defer func() { s.observe = nil }()
	for {
		b, _, err := r.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		if _, err := s.Run(ctx, b); err != nil {
			return 0, err
		}
		if progress != nil {
			progress("calibrate", r.done, r.limit)
		}
	}
	if r.done == 0 {
		return 0, fmt.Errorf("quant: no calibration data")
	}
	for _, pt := range s.plan.Points {
		if pt.Kind == KindInput || (pt.Kind == KindActivation && pt.Inherit == "") {
			if _, ok := pt.hist.mode(); !ok {
				return 0, fmt.Errorf("quant: tensor %q (node %q) was never computed during calibration", pt.Tensor, pt.Node)
			}
		}
	}
	return r.done, nil
}
