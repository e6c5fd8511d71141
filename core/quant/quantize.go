package quant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"fixq/core/dataset"
	"fixq/core/graph"
	"fixq/core/passes"
	"fixq/core/tensor"
	"fixq/core/train"
)

// Result is the outcome of Quantize.
type Result struct {
	// Model is the QDQ ONNX model (see qdq.go).
	Model *graph.Model
	// Info and Report are the quant-info and report JSON documents.
	Info   *QuantInfo
	Report *Report
	// Warnings name every node whose fix_pos was repaired or that stays in
	// float against expectation.
	Warnings []string
	// Prepared is the float model after passes.Prepare (and CLE), the
	// model the plan refers to.
	Prepared *graph.Model
	Plan     *Plan
	// CLE lists the equalized layer pairs (Config.CLE).
	CLE []CLEPair
	// CalibSamples is the number of samples calibration used.
	CalibSamples int
	// FastFinetune reports AdaQuant layer by layer (Config.FastFinetune).
	FastFinetune *train.AdaQuantResult
	Timings      Timings
}

// Timings of Quantize's stages.
type Timings struct {
	Prepare, Calibrate, Finetune, Report, Export time.Duration
}

// Simulator returns a new fake-quant simulator of the result.
func (r *Result) Simulator() (*Simulator, error) { return newSimulator(r.Prepared, r.Plan) }

// Quantize quantizes a float model for the DPU (the pipeline in doc.go):
// prepare, CLE (if asked), plan, parameter fix_pos, calibration on up to
// cfg.CalibSize samples from calib, shift repairs, bias correction (if
// asked), the report pass and the QDQ export. m is not modified. progress
// may be nil. ctx is checked between batches.
func Quantize(ctx context.Context, m *graph.Model, calib BatchSource, cfg Config, progress ProgressFunc) (*Result, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("quant: no model")
	}
	if err := cfg.ValidateFor(m.Graph); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	res := &Result{}
	t0 := time.Now()
	progress("prepare", 0, 1)
	first, err := calib.Next(ctx)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("quant: no calibration data")
	}
	if err != nil {
		return nil, fmt.Errorf("quant: calibration data: %w", err)
	}
	_, canRewind := calib.(Rewinder)
	rd := &batchReader{src: calib, limit: cfg.calibSize(), keep: !canRewind, pending: first}

	pm := passes.Clone(m)
	// Sizes for dynamic non-batch dims; dim 0 is left 0 (unknown) so the
	// passes keep the batch dynamic instead of folding in this batch's size.
	shapes := map[string][]int{}
	for k, t := range first {
		s := append([]int(nil), t.Shape...)
		if len(s) > 0 {
			s[0] = 0
		}
		shapes[k] = s
	}
	if err := passes.Prepare(pm, shapes); err != nil {
		return nil, fmt.Errorf("quant: prepare: %w", err)
	}
	rd.g = pm.Graph
	var cle *cleResult
	if cfg.CLE {
		var w []string
		if cle, w, err = equalize(pm); err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, w...)
		res.CLE = cle.Pairs
	}
	meta, err := probeMeta(ctx, pm, first)
	if err != nil {
		return nil, fmt.Errorf("quant: float run on the first calibration batch: %w", err)
	}
	plan, err := buildPlan(pm, &cfg, meta)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, plan.Warnings...)
	if err := plan.searchParams(pm.Graph); err != nil {
		return nil, err
	}
	plan.quantizeParams(pm.Graph)
	sim, err := newSimulator(pm, plan)
	if err != nil {
		return nil, err
	}
	progress("prepare", 1, 1)
	res.Timings.Prepare = time.Since(t0)

	t0 = time.Now()
	n, err := calibrate(ctx, sim, rd, progress)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, plan.applyConstraints()...)
	plan.quantizeParams(pm.Graph)
	sim.refreshParams(pm)
	fm := pm // the float reference of the report
	if cfg.BiasCorrection {
		fm = withOwnInitializers(pm) // keeps the uncorrected float biases
		rr, err := rd.replay()
		if err != nil {
			return nil, err
		}
		w, err := correctBiases(ctx, pm, sim, rr)
		if err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, w...)
	}
	res.Timings.Calibrate = time.Since(t0)
	if cfg.FastFinetune {
		t0 = time.Now()
		if fm == pm {
			fm = withOwnInitializers(pm) // the report compares with the original float weights
		}
		ada, w, err := fastFinetune(ctx, pm, plan, sim, rd, &cfg, progress)
		if err != nil {
			return nil, err
		}
		for _, s := range w {
			if !slices.Contains(res.Warnings, s) {
				res.Warnings = append(res.Warnings, s)
			}
		}
		res.FastFinetune = ada
		res.Timings.Finetune = time.Since(t0)
	}

	t0 = time.Now()
	rr, err := rd.replay()
	if err != nil {
		return nil, err
	}
	acc, err := measureSQNR(ctx, fm, sim, rr, progress)
	if err != nil {
		return nil, err
	}
	res.Timings.Report = time.Since(t0)

	t0 = time.Now()
	progress("export", 0, 1)
	qm, err := exportQDQ(pm, plan, meta)
	if err != nil {
		return nil, err
	}
	progress("export", 1, 1)
	res.Timings.Export = time.Since(t0)

	res.Model, res.Prepared, res.Plan, res.CalibSamples = qm, pm, plan, n
	res.Info = plan.info()
	res.Report = plan.report(pm.Graph, acc, n, res.Warnings, cle)
	return res, nil
}

// Top1 runs run over a labelled source and counts top-1 hits: each batch's
// logits (the output named output, [N, classes]) against labels(batch
// index, N). It is a helper for evaluating float, simulated or exported
// models on the same data.
func Top1(ctx context.Context, src BatchSource, output string, labels func(batch, n int) ([]uint8, error),
	run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)) (hits, total int, err error) {
	for b := 0; ; b++ {
		in, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return hits, total, nil
		}
		if err != nil {
			return hits, total, err
		}
		out, err := run(ctx, in)
		if err != nil {
			return hits, total, err
		}
		y := out[output]
		if y == nil {
			return hits, total, fmt.Errorf("quant: model has no output %q", output)
		}
		lab, err := labels(b, y.Shape[0])
		if err != nil {
			return hits, total, err
		}
		h, err := dataset.CountTop1(y, lab)
		if err != nil {
			return hits, total, err
		}
		hits += h
		total += y.Shape[0]
	}
}
