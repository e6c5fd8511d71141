package finetune

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fixq/core/graph"
	"fixq/core/passes"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/core/train"
)

// Result is the outcome of FastFinetune.
type Result struct {
	// Result is the final quantization: the fine-tuned model, re-calibrated
	// and exported by core/quant.
	*quant.Result
	// PTQ is the quantization before fine-tuning (its Model is the plain
	// PTQ export).
	PTQ *quant.Result
	// AdaQuant reports the fine-tuning, layer by layer.
	AdaQuant *train.AdaQuantResult
}

// FastFinetune quantizes m like quant.Quantize with cfg, then fine-tunes
// its conv-like layers with AdaQuant on the same calibration samples
// (opts; the zero value gives the defaults) and quantizes the fine-tuned
// model again, re-calibrating the activations (doc.go). The calibration
// samples (at most cfg.CalibSize) are held in memory. progress gets the
// stages of both quantizations and "finetune" (layers done of total);
// layer, if not nil, gets each layer's result. ctx cancels at any stage.
func FastFinetune(ctx context.Context, m *graph.Model, calib quant.BatchSource, cfg quant.Config, opts train.AdaQuantOptions,
	progress quant.ProgressFunc, layer func(train.LayerResult)) (*Result, error) {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	limit := cfg.CalibSize
	if limit == 0 {
		limit = quant.DefaultCalibSize
	}
	batches, err := ReadBatches(ctx, calib, limit)
	if err != nil {
		return nil, err
	}
	ptq, err := quant.Quantize(ctx, m, &quant.SliceSource{Batches: batches}, cfg, progress)
	if err != nil {
		return nil, err
	}
	spec := SpecFromPlan(ptq.Plan)
	ada, err := train.AdaQuant(ctx, ptq.Prepared, spec, batches, opts, func(l train.LayerResult) {
		progress("finetune", l.Index, l.Total)
		if layer != nil {
			layer(l)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fast fine-tuning: %w", err)
	}
	tuned := passes.Clone(ptq.Prepared)
	for name, t := range ada.Initializers {
		tuned.Graph.SetInitializer(name, t)
	}
	// The prepared model is already equalized; bias correction would undo
	// what AdaQuant learned.
	cfg2 := cfg
	cfg2.CLE, cfg2.BiasCorrection = false, false
	res, err := quant.Quantize(ctx, tuned, &quant.SliceSource{Batches: batches}, cfg2, progress)
	if err != nil {
		return nil, err
	}
	for _, pt := range ptq.Plan.Points {
		if _, tunedParam := ada.Initializers[pt.Tensor]; !tunedParam {
			continue
		}
		if now := res.Plan.Point(pt.Tensor); now != nil && now.FixPos < pt.FixPos {
			res.Warnings = append(res.Warnings, fmt.Sprintf(
				"fast fine-tuning: %s %q (node %q) was fine-tuned at fix_pos %d but re-quantized at %d after re-calibration",
				pt.Kind, pt.Tensor, pt.Node, pt.FixPos, now.FixPos))
		}
	}
	return &Result{Result: res, PTQ: ptq, AdaQuant: ada}, nil
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
			keep := limit - n
			for k, t := range cp {
				per := t.Len() / size
				c := &tensor.Tensor{DType: t.DType, Shape: append([]int{keep}, t.Shape[1:]...)}
				switch t.DType {
				case tensor.Float32:
					c.F32 = t.F32[:keep*per]
				case tensor.Int64:
					c.I64 = t.I64[:keep*per]
				default:
					return nil, fmt.Errorf("calibration input %q: cannot slice %v", k, t.DType)
				}
				cp[k] = c
			}
			size = keep
		}
		out = append(out, cp)
		n += size
	}
	if n == 0 {
		return nil, fmt.Errorf("no calibration data")
	}
	return out, nil
}
