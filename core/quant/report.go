package quant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
)

// Report is the report JSON: per quantized activation its fix_pos and the
// SQNR of the simulated quantized values against the float model's on the
// calibration data; per conv-like layer its float weight range.
type Report struct {
	Format       string        `json:"format"` // "fixq-quant-report/1"
	CalibSamples int           `json:"calib_samples"`
	Layers       []LayerReport `json:"layers"`
	Warnings     []string      `json:"warnings"`
}

// LayerReport is one row of the report.
type LayerReport struct {
	Node   string `json:"node"`
	OpType string `json:"op_type"`
	Tensor string `json:"tensor"`
	Kind   string `json:"kind"`
	FixPos int    `json:"fix_pos"`
	// SQNRdB is 10·log10(Σf²/Σ(f-q)²) over all calibration samples; null
	// when the quantized values equal the float ones.
	SQNRdB *float64 `json:"sqnr_db"`
	// WeightRange is [min, max] of a conv-like node's float weights (after
	// CLE, if it ran), WeightRangeBeforeCLE the same before CLE (only when
	// CLE ran).
	WeightRange          []float32 `json:"weight_range,omitempty"`
	WeightRangeBeforeCLE []float32 `json:"weight_range_before_cle,omitempty"`
	// Histogram is the float model's values of the tensor over the
	// calibration data (see actHistogram for its bins).
	Histogram *Histogram `json:"histogram,omitempty"`
}

// JSON encodes the report.
func (r *Report) JSON() ([]byte, error) { return marshalJSON(r) }

type sqnrAcc struct {
	signal, noise float64
	hist          *actHistogram // the float values
}

// measureSQNR runs the float model and the simulator side by side over
// the calibration data and accumulates, per input/activation point, the
// signal and noise energies and a histogram of the float values.
func measureSQNR(ctx context.Context, fm *graph.Model, s *Simulator, r *batchReader, progress ProgressFunc) (map[string]*sqnrAcc, error) {
	p := s.plan
	ref := map[string][]float32{}
	acc := map[string]*sqnrAcc{}
	accOf := func(tensor string) *sqnrAcc {
		a := acc[tensor]
		if a == nil {
			a = &sqnrAcc{}
			acc[tensor] = a
		}
		return a
	}
	keep := func(pt *Point, f []float32) {
		ref[pt.Tensor] = append(ref[pt.Tensor][:0], f...)
		if pt.Kind.isParam() {
			return
		}
		a := accOf(pt.Tensor)
		if a.hist == nil {
			a.hist = newActHistogram(pt.FixPos)
		}
		a.hist.add(f)
	}
	fsess, err := engine.NewSession(fm, engine.Options{AfterNode: func(n *graph.Node, outs []*tensor.Tensor) error {
		for j, o := range n.Outputs {
			if pt := p.byTensor[o]; pt != nil && j < len(outs) && outs[j] != nil && outs[j].DType == tensor.Float32 {
				keep(pt, outs[j].F32)
			}
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	s.capture = func(pt *Point, t *tensor.Tensor) {
		f := ref[pt.Tensor]
		if len(f) != len(t.F32) {
			return
		}
		a := accOf(pt.Tensor)
		for i, q := range t.F32 {
			d := float64(f[i]) - float64(q)
			a.signal += float64(f[i]) * float64(f[i])
			a.noise += d * d
		}
	}
	defer func() { s.capture = nil }()
	chunk := 1 // samples per float/simulated run; sized after the first
	for _, vi := range fm.Graph.Inputs {
		if len(vi.Shape) > 0 && vi.Shape[0].Value >= 0 {
			chunk = math.MaxInt // a fixed batch dim: runs take whole batches
		}
	}
	for {
		b, _, err := r.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		// The float reference of every point is held for one chunk of the
		// batch at a time: a chunk's size keeps that copy under
		// sqnrChunkBytes (one sample at least), so a large model's report
		// pass needs about as much memory as one inference, not a whole
		// batch of every activation.
		n, err := batchSize(fm.Graph, b)
		if err != nil {
			return nil, err
		}
		for lo := 0; lo < n; {
			hi := min(n, lo+chunk)
			sub, err := sliceBatch(b, lo, hi)
			if err != nil {
				return nil, err
			}
			for name, t := range sub {
				if pt := p.byTensor[name]; pt != nil && t.DType == tensor.Float32 {
					keep(pt, t.F32)
				}
			}
			if _, err := fsess.Run(ctx, sub); err != nil {
				return nil, err
			}
			if _, err := s.Run(ctx, sub); err != nil {
				return nil, err
			}
			if lo == 0 && hi == 1 && chunk == 1 {
				perSample := 0
				for _, f := range ref {
					perSample += 4 * len(f)
				}
				chunk = max(1, sqnrChunkBytes/max(perSample, 1))
			}
			lo = hi
		}
		if progress != nil {
			progress("report", r.done, r.limit)
		}
	}
	return acc, nil
}

// sqnrChunkBytes bounds the float reference copies the report pass holds.
const sqnrChunkBytes = 64 << 20

// sliceBatch returns samples [lo, hi) (dim 0) of every input, sharing
// storage.
func sliceBatch(batch map[string]*tensor.Tensor, lo, hi int) (map[string]*tensor.Tensor, error) {
	out := make(map[string]*tensor.Tensor, len(batch))
	for k, t := range batch {
		if len(t.Shape) == 0 || t.Shape[0] == 0 {
			return nil, fmt.Errorf("quant: calibration input %q has no batch dimension", k)
		}
		c, err := sliceSamples(k, t, lo, hi)
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, nil
}

// report builds the Report from a finished plan and SQNR accumulators.
func (p *Plan) report(g *graph.Graph, acc map[string]*sqnrAcc, samples int, warnings []string, cle *cleResult) *Report {
	rep := &Report{Format: "fixq-quant-report/1", CalibSamples: samples, Layers: []LayerReport{}, Warnings: append([]string{}, warnings...)}
	for _, pt := range p.Points {
		if pt.Kind.isParam() {
			continue
		}
		lr := LayerReport{Node: pt.Node, Tensor: pt.Tensor, Kind: pt.Kind.String(), FixPos: pt.FixPos}
		if np := p.byNode[pt.Node]; np != nil {
			lr.OpType = np.Node.OpType
			if np.FusedFrom != "" {
				np = p.byNode[np.FusedFrom]
			}
			if np.role == roleConvLike {
				if w := g.Initializers[np.Weight]; w != nil && len(w.F32) > 0 {
					lo, hi := w.F32[0], w.F32[0]
					for _, v := range w.F32 {
						lo, hi = min(lo, v), max(hi, v)
					}
					lr.WeightRange = []float32{lo, hi}
				}
				if r, ok := cle.before(np.Weight); ok {
					lr.WeightRangeBeforeCLE = []float32{r[0], r[1]}
				}
			}
		}
		if a := acc[pt.Tensor]; a != nil && a.noise > 0 && a.signal > 0 {
			db := 10 * math.Log10(a.signal/a.noise)
			db = math.Round(db*1000) / 1000
			lr.SQNRdB = &db
		}
		if a := acc[pt.Tensor]; a != nil && a.hist != nil {
			lr.Histogram = a.hist.histogram()
		}
		rep.Layers = append(rep.Layers, lr)
	}
	return rep
}
