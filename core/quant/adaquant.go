package quant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
	"fixq/core/train"
)

// FinetuneConfig tunes fast fine-tuning (Config.FastFinetune). Zero
// fields take core/train's defaults (train.DefaultAdaQuant*).
type FinetuneConfig struct {
	// Iterations of Adam per layer.
	Iterations int `json:"iterations,omitempty"`
	// LR is the learning rate in units of each tensor's quantization step.
	LR float64 `json:"lr,omitempty"`
	// Batch is the number of calibration samples per iteration.
	Batch int `json:"batch,omitempty"`
	// Seed makes fine-tuning reproducible: the same seed, model, data and
	// config export the same bytes.
	Seed int64 `json:"seed,omitempty"`
}

func (f FinetuneConfig) validate() error {
	if f.Iterations < 0 || f.Iterations > train.MaxAdaQuantIterations {
		return fmt.Errorf("quant config: finetune.iterations %d outside [0, %d]", f.Iterations, train.MaxAdaQuantIterations)
	}
	if f.LR < 0 || math.IsNaN(f.LR) || math.IsInf(f.LR, 0) {
		return fmt.Errorf("quant config: finetune.lr %v, want >= 0", f.LR)
	}
	if f.Batch < 0 || f.Batch > MaxCalibSize {
		return fmt.Errorf("quant config: finetune.batch %d outside [0, %d]", f.Batch, MaxCalibSize)
	}
	return nil
}

// TrainSpec reduces the plan to what core/train needs: every point that
// owns its fix_pos (inherited ones are no-ops on values already on their
// source's grid) with its rounding, and each DPU node's approximation.
func (p *Plan) TrainSpec() *train.Spec {
	s := &train.Spec{Points: map[string]train.Point{}, Nodes: map[string]train.NodeApprox{}}
	for _, pt := range p.Points {
		if pt.Inherit != "" {
			continue
		}
		r := train.RoundDPU
		if pt.Round == RoundStd {
			r = train.RoundStd
		}
		s.Points[pt.Tensor] = train.Point{FixPos: pt.FixPos, Round: r}
	}
	for _, np := range p.Nodes {
		if !np.OnDPU() {
			continue
		}
		var a train.NodeApprox
		switch np.Approx {
		case ApproxLeakyRelu:
			a.Approx = train.ApproxLeakyRelu
		case ApproxHardSigmoid:
			a.Approx = train.ApproxHardSigmoid
		case ApproxHardSwish:
			a.Approx = train.ApproxHardSwish
		case ApproxAvgPool:
			a = train.NodeApprox{Approx: train.ApproxAvgPool, Gain: avgGain(np.AvgN, np.AvgM, np.AvgRec)}
		default:
			continue
		}
		s.Nodes[np.Node.Name] = a
	}
	return s
}

// fastFinetune is the pipeline step of Config.FastFinetune, after
// calibration, the shift repairs and bias correction: AdaQuant
// (core/train) fine-tunes the conv-like weights and biases of pm under the
// plan's fix positions on the calibration samples (held in memory), pm's
// initializers are replaced by the results (which lie on their int8
// grids), and the parameters and activations are searched and calibrated
// again from scratch, repairs included. A parameter whose fix_pos then
// ends lower than the one it was fine-tuned at is named in a warning.
func fastFinetune(ctx context.Context, pm *graph.Model, plan *Plan, sim *Simulator, rd *batchReader, cfg *Config,
	progress ProgressFunc) (*train.AdaQuantResult, []string, error) {
	rr, err := rd.replay()
	if err != nil {
		return nil, nil, err
	}
	var batches []map[string]*tensor.Tensor
	for {
		b, _, err := rr.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		cp := make(map[string]*tensor.Tensor, len(b))
		for k, t := range b {
			cp[k] = t.Clone() // sources may reuse their tensors
		}
		batches = append(batches, cp)
	}
	opts := train.AdaQuantOptions{Iterations: cfg.Finetune.Iterations, LR: cfg.Finetune.LR, Batch: cfg.Finetune.Batch, Seed: cfg.Finetune.Seed}
	tuned := map[string]int{}
	for _, pt := range plan.Points {
		if pt.Kind.isParam() {
			tuned[pt.Tensor] = pt.FixPos
		}
	}
	ada, err := train.AdaQuant(ctx, pm, plan.TrainSpec(), batches, opts, func(l train.LayerResult) {
		progress("finetune", l.Index, l.Total)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("quant: fast fine-tuning: %w", err)
	}
	for name, t := range ada.Initializers {
		pm.Graph.SetInitializer(name, t)
	}
	// Re-calibrate with the fine-tuned parameters.
	for _, pt := range plan.Points {
		pt.hist = fpHistogram{}
	}
	if err := plan.searchParams(pm.Graph); err != nil {
		return nil, nil, err
	}
	plan.quantizeParams(pm.Graph)
	sim.refreshParams(pm)
	rr, err = rd.replay()
	if err != nil {
		return nil, nil, err
	}
	if _, err := calibrate(ctx, sim, rr, progress); err != nil {
		return nil, nil, err
	}
	warnings := plan.applyConstraints()
	plan.quantizeParams(pm.Graph)
	sim.refreshParams(pm)
	for _, pt := range plan.Points {
		if _, ok := ada.Initializers[pt.Tensor]; ok && pt.FixPos < tuned[pt.Tensor] {
			warnings = append(warnings, fmt.Sprintf("node %q: %s %q was fine-tuned at fix_pos %d and re-quantized at %d after re-calibration",
				pt.Node, pt.Kind, pt.Tensor, tuned[pt.Tensor], pt.FixPos))
		}
	}
	return ada, warnings, nil
}
