package quant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"fixq/core/tensor"
)

// Export rebuilds r with new float values for some of its initializers
// (the weights quantization-aware training learned, core/train/finetune)
// and every fix_pos of r's plan kept, as frozen: the parameters are
// re-quantized at their fix_pos (std_round, saturated), the report pass
// compares the new float model with its simulation over calib (at most
// r.CalibSamples samples), and the QDQ model and documents are built as
// Quantize builds them. The weights must match the initializers' dtype
// and shape. r is not modified.
func (r *Result) Export(ctx context.Context, weights map[string]*tensor.Tensor, calib BatchSource, progress ProgressFunc) (*Result, error) {
	if r == nil || r.Prepared == nil || r.Plan == nil {
		return nil, fmt.Errorf("quant: export: no quantization result")
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	pm := withOwnInitializers(r.Prepared)
	for _, name := range sortedKeys(weights) {
		t, old := weights[name], pm.Graph.Initializers[name]
		if old == nil {
			return nil, fmt.Errorf("quant: export: the model has no initializer %q", name)
		}
		if t == nil || t.DType != tensor.Float32 || !tensor.SameShape(t.Shape, old.Shape) || t.Validate() != nil {
			return nil, fmt.Errorf("quant: export: initializer %q is %v, want float32%v", name, t, old.Shape)
		}
		pm.Graph.Initializers[name] = t
	}
	plan := r.Plan.clone()
	plan.quantizeParams(pm.Graph)
	res := &Result{Prepared: pm, Plan: plan, CLE: r.CLE, Warnings: slices.Clone(r.Warnings)}
	t0 := time.Now()
	first, err := calib.Next(ctx)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("quant: no calibration data")
	}
	if err != nil {
		return nil, fmt.Errorf("quant: calibration data: %w", err)
	}
	meta, err := probeMeta(ctx, pm, first)
	if err != nil {
		return nil, fmt.Errorf("quant: float run on the first calibration batch: %w", err)
	}
	sim, err := newSimulator(pm, plan)
	if err != nil {
		return nil, err
	}
	rd := &batchReader{src: calib, g: pm.Graph, limit: max(1, r.CalibSamples), pending: first}
	acc, err := measureSQNR(ctx, pm, sim, rd, progress)
	if err != nil {
		return nil, err
	}
	res.CalibSamples = rd.done
	res.Timings.Report = time.Since(t0)
	t0 = time.Now()
	progress("export", 0, 1)
	if res.Model, err = exportQDQ(pm, plan, meta); err != nil {
		return nil, err
	}
	progress("export", 1, 1)
	res.Timings.Export = time.Since(t0)
	res.Info = plan.info()
	res.Report = plan.report(pm.Graph, acc, res.CalibSamples, res.Warnings, nil)
	return res, nil
}

// clone copies the plan's points and node decisions (fix positions
// included; calibration histograms and int8 values not), so a copy can
// be re-quantized without touching the original.
func (p *Plan) clone() *Plan {
	c := &Plan{byTensor: make(map[string]*Point, len(p.Points)), byNode: make(map[string]*NodePlan, len(p.Nodes)),
		Warnings: slices.Clone(p.Warnings)}
	for _, pt := range p.Points {
		q := *pt
		q.hist, q.Q = fpHistogram{}, nil
		c.Points = append(c.Points, &q)
		c.byTensor[q.Tensor] = &q
	}
	for _, np := range p.Nodes {
		n := *np
		c.Nodes = append(c.Nodes, &n)
		c.byNode[n.Node.Name] = &n
	}
	return c
}
