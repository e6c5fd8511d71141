package finetune

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"fixq/core/graph"
	"fixq/core/passes"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/core/train"
)

// QATOptions tune QAT. The zero value gives the defaults.
type QATOptions struct {
	// Epochs of training (default 3). The fix positions are re-derived
	// before each epoch and frozen for the last one.
	Epochs int
	// LR is the peak learning rate, decayed to 0 on a cosine over all
	// steps (default 1e-4 for Adam, 1e-3 for SGD).
	LR float64
	// Batch is the mini-batch size (default 32).
	Batch int
	// Optimizer is "adam" (default) or "sgd" (with Momentum, default 0.9).
	Optimizer string
	Momentum  float64
	// Seed chooses the shuffles (and the calibration samples drawn from
	// the training set when QAT gets no calibration source).
	Seed int64
	// CalibBatch is the batch size of calibration samples drawn from the
	// training set (default 16, as fixq quantize).
	CalibBatch int
}

// MaxQATEpochs bounds QATOptions.Epochs.
const MaxQATEpochs = 1000

func (o QATOptions) withDefaults() (QATOptions, error) {
	o.Optimizer = strings.ToLower(o.Optimizer)
	switch o.Optimizer {
	case "":
		o.Optimizer = "adam"
	case "adam", "sgd":
	default:
		return o, fmt.Errorf("qat: optimizer %q, want adam or sgd", o.Optimizer)
	}
	if o.Epochs < 0 || o.Epochs > MaxQATEpochs {
		return o, fmt.Errorf("qat: %d epochs, want 1 to %d", o.Epochs, MaxQATEpochs)
	}
	if o.LR < 0 || math.IsNaN(o.LR) || math.IsInf(o.LR, 0) || o.Batch < 0 || o.Momentum < 0 || o.Momentum >= 1 || o.CalibBatch < 0 {
		return o, fmt.Errorf("qat: learning rate, batch, momentum (in [0, 1)) and calibration batch must not be negative")
	}
	if o.Epochs == 0 {
		o.Epochs = 3
	}
	if o.Batch == 0 {
		o.Batch = 32
	}
	if o.CalibBatch == 0 {
		o.CalibBatch = 16
	}
	if o.LR == 0 {
		o.LR = 1e-4
		if o.Optimizer == "sgd" {
			o.LR = 1e-3
		}
	}
	if o.Optimizer == "sgd" && o.Momentum == 0 {
		o.Momentum = 0.9
	}
	return o, nil
}

// EpochReport is one epoch of QAT.
type EpochReport struct {
	Epoch, Epochs int
	train.EpochStats
	// FixPosChanged counts the points whose fix_pos the re-derivation
	// before this epoch moved; Frozen marks the last epoch, whose fix
	// positions are the exported ones.
	FixPosChanged int
	Frozen        bool
}

// QATResult is the outcome of QAT.
type QATResult struct {
	// Result is the export: the trained model quantized by core/quant.
	*quant.Result
	Epochs []EpochReport
	// Frozen is the quantization the last epoch trained with (and the
	// export kept).
	Frozen *train.Spec
}

// QAT is quantization-aware training: m is prepared and quantized by
// core/quant (BatchNorm folded, plan, calibration on calib, or on
// cfg.CalibSize samples drawn from data when calib is nil, shift
// repairs); then the whole network is trained on data with cross-entropy
// through the fake-quantized forward pass (train.Net: DPU rounding,
// power-of-two scales, DPU approximations, straight-through estimator).
// Before every epoch the fix positions are re-derived from the current
// weights by core/quant's calibration on the same calibration samples (the
// quantized network's statistics: per batch diffs positions, their mode,
// then the repairs), and they stay frozen for the last epoch: the trained
// model is exported with exactly those fix positions by core/quant
// (Result.Export), like a PTQ result. epoch (may be nil)
// gets each epoch's figures.
func QAT(ctx context.Context, m *graph.Model, data train.Samples, calib quant.BatchSource, cfg quant.Config, opts QATOptions,
	progress quant.ProgressFunc, epoch func(EpochReport)) (*QATResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	limit := cfg.CalibSize
	if limit == 0 {
		limit = quant.DefaultCalibSize
	}
	if calib == nil {
		if calib, err = drawCalibration(ctx, data, limit, opts.CalibBatch, opts.Seed); err != nil {
			return nil, err
		}
	}
	batches, err := ReadBatches(ctx, calib, limit)
	if err != nil {
		return nil, err
	}
	res, err := quant.Quantize(ctx, m, &quant.SliceSource{Batches: batches}, cfg, progress)
	if err != nil {
		return nil, err
	}
	prepared := res.Prepared
	// After the first quantization the model is prepared and equalized.
	cfg2 := cfg
	cfg2.CLE, cfg2.BiasCorrection = false, false
	frozen := res // the quantization whose fix positions the epoch uses
	spec := res.Plan.TrainSpec()
	net, err := train.NewNet(prepared, spec, train.Options{})
	if err != nil {
		return nil, err
	}
	logits, err := train.LogitsName(prepared)
	if err != nil {
		return nil, err
	}
	var opt train.Optimizer = &train.Adam{}
	if opts.Optimizer == "sgd" {
		opt = &train.SGD{Momentum: opts.Momentum}
	}
	steps := (data.Len() + opts.Batch - 1) / opts.Batch
	total := float64(steps * opts.Epochs)
	out := &QATResult{}
	quantizeNow := func() (*quant.Result, error) {
		return quant.Quantize(ctx, withWeights(prepared, net), &quant.SliceSource{Batches: batches}, cfg2, nil)
	}
	for e := 1; e <= opts.Epochs; e++ {
		rep := EpochReport{Epoch: e, Epochs: opts.Epochs, Frozen: e == opts.Epochs}
		if e > 1 {
			r, err := quantizeNow()
			if err != nil {
				return nil, err
			}
			next := r.Plan.TrainSpec()
			rep.FixPosChanged = len(specDiff(spec, next))
			spec, frozen = next, r
			if err := net.SetSpec(spec); err != nil {
				return nil, err
			}
		}
		e0 := float64((e - 1) * steps)
		st, err := train.TrainEpoch(ctx, net, data, train.EpochOptions{
			Logits: logits, Batch: opts.Batch, Optimizer: opt, Seed: opts.Seed, Epoch: e,
			LR: func(s, _ int) float64 { return opts.LR * 0.5 * (1 + math.Cos(math.Pi*(e0+float64(s))/total)) },
			Progress: func(done, n int) {
				progress("train", (e-1)*steps+done, steps*opts.Epochs)
			},
		})
		if err != nil {
			return nil, err
		}
		rep.EpochStats = st
		out.Epochs = append(out.Epochs, rep)
		if epoch != nil {
			epoch(rep)
		}
	}
	// Export with the fix positions of the last epoch, kept exactly.
	final, err := frozen.Export(ctx, trainedWeights(net), &quant.SliceSource{Batches: batches}, progress)
	if err != nil {
		return nil, err
	}
	out.Result, out.Frozen = final, spec
	return out, nil
}

// trainedWeights copies the net's trained float weights.
func trainedWeights(net *train.Net) map[string]*tensor.Tensor {
	w := map[string]*tensor.Tensor{}
	for _, p := range net.Params() {
		w[p.Name] = &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), p.Shape...), F32: append([]float32(nil), p.W...)}
	}
	return w
}

// withWeights is the prepared model with the net's trained float weights.
func withWeights(prepared *graph.Model, net *train.Net) *graph.Model {
	c := passes.Clone(prepared)
	for name, t := range trainedWeights(net) {
		c.Graph.SetInitializer(name, t)
	}
	return c
}

// specDiff lists (sorted by name) the points whose fix_pos differ.
func specDiff(a, b *train.Spec) []string {
	var out []string
	for name, p := range a.Points {
		if q, ok := b.Points[name]; !ok || q.FixPos != p.FixPos {
			out = append(out, name)
		}
	}
	for name := range b.Points {
		if _, ok := a.Points[name]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// drawCalibration takes n samples of data in a seeded random order, in
// batches of size.
func drawCalibration(ctx context.Context, data train.Samples, n, size int, seed int64) (quant.BatchSource, error) {
	n = min(n, data.Len())
	if n == 0 {
		return nil, fmt.Errorf("qat: no training samples")
	}
	order := rand.New(rand.NewPCG(uint64(seed), 0x6361)).Perm(data.Len())[:n]
	var src quant.SliceSource
	for s := 0; s < n; s += size {
		in, _, err := data.Batch(ctx, order[s:min(n, s+size)])
		if err != nil {
			return nil, err
		}
		src.Batches = append(src.Batches, in)
	}
	return &src, nil
}
