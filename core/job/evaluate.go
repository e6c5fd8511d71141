package job

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fixq/core/engine"
	"fixq/core/prep"
	"fixq/core/tensor"
)

// EvaluateOptions choose preprocessing and how much data to use.
type EvaluateOptions struct {
	Preprocess prep.Options `json:"preprocess"`
	Limit      int          `json:"limit,omitempty"` // 0 = all
	BatchSize  int          `json:"batch_size,omitempty"`
	// DPU runs a quantized (QDQ) model on the fixed-point DPU emulator
	// (dpu.Compile) instead of in float; Target names the DPU target
	// (default dpu.DefaultTargetName), checked and reported.
	DPU    bool   `json:"dpu,omitempty"`
	Target string `json:"target,omitempty"`
}

// EvaluateResult is top-1 (and top-5 when there are more than 5 classes)
// accuracy of a classifier on a labelled ImageFolder.
type EvaluateResult struct {
	Top1 float64 `json:"top1"`
	Top5 float64 `json:"top5,omitempty"`
	// Top1Hits and Top5Hits are the counts behind Top1 and Top5 (Top1 =
	// Top1Hits/N), so results on parts of a data set add up exactly.
	Top1Hits int `json:"top1_hits"`
	Top5Hits int `json:"top5_hits,omitempty"`
	N        int `json:"n"`
	Classes  int `json:"classes"`
	// Backend is "dpu-emulator <target>" for DPU runs, empty for float.
	Backend string `json:"backend,omitempty"`
}

// Evaluate runs a float or QDQ model (ONNX semantics) over a labelled data
// set and counts top-1/top-5 hits of its first output, read as
// [N, classes] logits or probabilities.
func Evaluate(ctx context.Context, modelBytes []byte, data *prep.Dataset, opts EvaluateOptions, lim Limits, progress Progress) (*EvaluateResult, error) {
	m, err := LoadModel(modelBytes, lim)
	if err != nil {
		return nil, err
	}
	if data == nil || data.Len() == 0 || len(data.Classes) == 0 {
		return nil, fmt.Errorf("evaluation needs labelled images (one sub-folder per class)")
	}
	d := *data
	d.Limit(opts.Limit)
	name, geo, _, err := ModelGeometry(m, opts.Preprocess)
	if err != nil {
		return nil, err
	}
	var run runner
	backend := ""
	if opts.DPU {
		if run, backend, err = dpuRunner(m, opts.Target); err != nil {
			return nil, err
		}
	} else {
		s, err := engine.NewSession(m, engine.Options{})
		if err != nil {
			return nil, err
		}
		run = s.Run
	}
	out := m.Graph.Outputs[0].Name
	b := &prep.Batches{D: &d, Opts: opts.Preprocess, Geo: geo, Size: opts.BatchSize}
	res := &EvaluateResult{Classes: len(d.Classes), Backend: backend}
	hits1, hits5 := 0, 0
	for {
		x, labels, err := b.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		y, err := run(ctx, map[string]*tensor.Tensor{name: x})
		if err != nil {
			return nil, err
		}
		logits := y[out]
		if logits == nil || logits.DType != tensor.Float32 || logits.Rank() != 2 || logits.Shape[0] != len(labels) {
			return nil, fmt.Errorf("output %q is %v, want [%d, classes] float32", out, logits, len(labels))
		}
		c := logits.Shape[1]
		if c < len(d.Classes) {
			return nil, fmt.Errorf("model gives %d classes, the data has %d", c, len(d.Classes))
		}
		for i, lab := range labels {
			row := logits.F32[i*c : (i+1)*c]
			rank := 0 // how many classes score above the label's
			for _, v := range row {
				if v > row[lab] {
					rank++
				}
			}
			if rank == 0 {
				hits1++
			}
			if rank < 5 {
				hits5++
			}
		}
		res.N += len(labels)
		progress.report("evaluate", pct(res.N, d.Len()))
	}
	if res.N == 0 {
		return nil, fmt.Errorf("no images were evaluated")
	}
	res.Top1, res.Top1Hits = float64(hits1)/float64(res.N), hits1
	if c := len(d.Classes); c > 5 {
		res.Top5, res.Top5Hits = float64(hits5)/float64(res.N), hits5
	}
	return res, nil
}
