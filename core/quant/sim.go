package quant

import (
	"context"
	"fmt"
	"math"
	"unsafe"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
)

// Simulator runs a quantized model in float arithmetic with exactly the
// DPU's rounding and approximations (the contract in doc.go): parameters
// are their dequantized int8 values, every quantization point is
// fake-quantized in place as it is produced, and the §3 approximations
// replace the float kernels' results. Not safe for concurrent use.
type Simulator struct {
	plan  *Plan
	model *graph.Model
	sess  *engine.Session
	// vals holds the values of the current run, so an approximation can
	// read a node's input in AfterNode (the engine releases a value only
	// after its last reader's AfterNode).
	vals map[string]*tensor.Tensor
	// observe, during calibration, sees a point's float values before they
	// are quantized and may update its FixPos.
	observe func(pt *Point, data []float32)
	// capture, if set, sees every point's quantized values.
	capture func(pt *Point, t *tensor.Tensor)
	exact   []float64
}

// newSimulator builds a simulator of prepared model m under plan p. The
// plan's parameter points must hold their int8 values (quantizeParams).
func newSimulator(m *graph.Model, p *Plan) (*Simulator, error) {
	sm := *m
	g := *m.Graph
	g.Initializers = p.dequantizedParams(m.Graph)
	sm.Graph = &g
	s := &Simulator{plan: p, model: &sm, vals: map[string]*tensor.Tensor{}}
	sess, err := engine.NewSession(&sm, engine.Options{AfterNode: s.afterNode})
	if err != nil {
		return nil, err
	}
	s.sess = sess
	return s, nil
}

// refreshParams reloads the dequantized parameters after fix_pos repairs.
func (s *Simulator) refreshParams(m *graph.Model) {
	s.model.Graph.Initializers = s.plan.dequantizedParams(m.Graph)
}

// Run computes the quantized model's outputs. Inputs are not modified.
func (s *Simulator) Run(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	clear(s.vals)
	in := make(map[string]*tensor.Tensor, len(inputs))
	for name, t := range inputs {
		if pt := s.plan.byTensor[name]; pt != nil && t != nil && t.DType == tensor.Float32 {
			t = t.Clone()
			if err := s.quantizePoint(pt, t, nil); err != nil {
				return nil, err
			}
		}
		in[name] = t
		s.vals[name] = t
	}
	out, err := s.sess.Run(ctx, in)
	clear(s.vals)
	return out, err
}

func (s *Simulator) input(name string) *tensor.Tensor {
	if t, ok := s.vals[name]; ok {
		return t
	}
	return s.model.Graph.Initializers[name]
}

func (s *Simulator) afterNode(n *graph.Node, outs []*tensor.Tensor) error {
	np := s.plan.byNode[n.Name]
	for j, o := range n.Outputs {
		if o == "" || j >= len(outs) || outs[j] == nil {
			continue
		}
		t := outs[j]
		if pt := s.plan.byTensor[o]; pt != nil && t.DType == tensor.Float32 {
			// A view of an input (Reshape, Identity) must not be
			// quantized in place: the input may have other readers.
			for _, in := range n.Inputs {
				if it := s.input(in); it != nil && sharesStorage(it, t) {
					t = t.Clone()
					outs[j] = t
					break
				}
			}
			var exact []float64
			if j == 0 && np != nil && np.Approx != ApproxNone {
				var err error
				if exact, err = s.approximate(np, t); err != nil {
					return err
				}
			}
			if err := s.quantizePoint(pt, t, exact); err != nil {
				return err
			}
		}
		s.vals[o] = t
	}
	return nil
}

// quantizePoint fake-quantizes t in place at pt's fix_pos. exact, if not
// nil, holds the exact (float64) values of an approximation, which are
// rounded instead of t's float32 ones.
func (s *Simulator) quantizePoint(pt *Point, t *tensor.Tensor, exact []float64) error {
	if s.observe != nil {
		if exact != nil {
			for i, v := range exact {
				t.F32[i] = float32(v)
			}
		}
		s.observe(pt, t.F32)
	}
	root := s.plan.root(pt)
	if root == nil {
		return fmt.Errorf("quant: point %q inherits from an unquantized value", pt.Tensor)
	}
	fp := root.FixPos
	if exact != nil {
		scale, inv := math.Ldexp(1, fp), math.Ldexp(1, -fp)
		for i, v := range exact {
			t.F32[i] = float32(saturate(DPURound(v*scale)) * inv)
		}
	} else {
		FakeQuantize(t.F32, t.F32, fp, RoundDPU)
	}
	if s.capture != nil {
		s.capture(pt, t)
	}
	return nil
}

// approximate returns the exact values of an approximated node's output
// (§3), computed in float64 from its quantized input (or, for average
// pools, from the float kernel's average of that input).
func (s *Simulator) approximate(np *NodePlan, out *tensor.Tensor) ([]float64, error) {
	n := np.Node
	if cap(s.exact) < len(out.F32) {
		s.exact = make([]float64, len(out.F32))
	}
	exact := s.exact[:len(out.F32)]
	if np.Approx == ApproxAvgPool {
		fi, ok := s.plan.fixPos(n.Inputs[0])
		if !ok {
			return nil, n.Errorf("quant: average pool input %q is not quantized", n.Inputs[0])
		}
		return exact, avgExact(exact, out.F32, fi, np.AvgN, np.AvgM, np.AvgRec)
	}
	x := s.input(n.Inputs[0])
	if x == nil || x.DType != tensor.Float32 || len(x.F32) != len(out.F32) {
		return nil, n.Errorf("quant: cannot read the input of an elementwise approximation")
	}
	var f func(float64) float64
	switch np.Approx {
	case ApproxLeakyRelu:
		f = leakyReluDPU
	case ApproxHardSigmoid:
		f = hardSigmoidDPU
	case ApproxHardSwish:
		f = hardSwishDPU
	default:
		return nil, n.Errorf("quant: unknown approximation %q", np.Approx)
	}
	for i, v := range x.F32 {
		exact[i] = f(float64(v))
	}
	return exact, nil
}

// avgExact recovers each window's exact integer sum S (in units of 2^-fi)
// from the float average avg = S·2^-fi/rec, which the float kernel
// computes with a relative error of a few float32 ulps, so
// round(avg·rec·2^fi) is S for any window under 2^16 elements; then it
// applies the DPU reciprocal: S·2^-fi·N/2^M (§3.4, §6 item 5).
func avgExact(dst []float64, avg []float32, fi, n, m, rec int) error {
	if rec >= 1<<16 {
		return fmt.Errorf("quant: average window of %d elements is too large for the DPU reciprocal", rec)
	}
	toSum := float64(rec) * math.Ldexp(1, fi)
	gain := math.Ldexp(float64(n), -m-fi)
	for i, a := range avg {
		v := float64(a) * toSum
		sum := math.Round(v)
		if math.Abs(v-sum) > 0.25 {
			return fmt.Errorf("quant: average %v is not a sum of values at fix_pos %d (internal error)", a, fi)
		}
		dst[i] = sum * gain
	}
	return nil
}

// sharesStorage reports whether two float32 tensors use the same array.
func sharesStorage(a, b *tensor.Tensor) bool {
	if a.DType != tensor.Float32 || b.DType != tensor.Float32 || cap(a.F32) == 0 || cap(b.F32) == 0 {
		return false
	}
	return unsafe.SliceData(a.F32[:1]) == unsafe.SliceData(b.F32[:1])
}
