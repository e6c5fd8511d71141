package dpu

import (
	"fmt"
	"math"

	"fixq/core/graph"
	"fixq/core/quant"
	"fixq/core/tensor"
)

// emuGraph is the emulator's view of a quantized model, whichever way it
// arrived (QDQ ONNX or quant.Result): a float-semantics ONNX graph without
// Q/DQ nodes, the fix_pos of every int8 value, the int8 parameters, and
// each node's DPU approximation. Values in fix are int8 at run time; every
// other value is whatever its float kernel produces.
type emuGraph struct {
	model  *graph.Model
	fix    map[string]int
	params map[string]*emuParam
	approx map[string]*emuApprox // by node name
}

// emuParam is an int8 constant (weight, bias or eltwise operand).
type emuParam struct {
	Q      []int8
	Shape  []int
	FixPos int
	deq    *tensor.Tensor // q·2^-fp as float32, for the float path
}

func (p *emuParam) dequantized() *tensor.Tensor {
	if p.deq == nil {
		t := &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), p.Shape...), F32: make([]float32, len(p.Q))}
		for i, q := range p.Q {
			t.F32[i] = float32(math.Ldexp(float64(q), -p.FixPos))
		}
		p.deq = t
	}
	return p.deq
}

// emuApprox is a node's DPU approximation (fact sheet §3). For average
// pools N/2^M is the reciprocal; when N is 0 it is derived from Gain
// (N·window/2^M, the QDQ export's constant) once the window is known.
type emuApprox struct {
	Kind quant.Approx
	N, M int
	Gain float64
}

// fromResult reads the quantizer's in-memory result: the prepared float
// model and its plan.
func fromResult(pm *graph.Model, p *quant.Plan) (*emuGraph, error) {
	if pm == nil || pm.Graph == nil || p == nil {
		return nil, fmt.Errorf("dpu: emulator: no prepared model or plan")
	}
	eg := &emuGraph{model: pm, fix: map[string]int{}, params: map[string]*emuParam{}, approx: map[string]*emuApprox{}}
	for _, pt := range p.Points {
		switch pt.Kind {
		case quant.KindWeight, quant.KindBias, quant.KindConst:
			t := pm.Graph.Initializers[pt.Tensor]
			if t == nil || len(t.F32) != len(pt.Q) {
				return nil, fmt.Errorf("dpu: emulator: parameter %q has no int8 values in the plan", pt.Tensor)
			}
			eg.params[pt.Tensor] = &emuParam{Q: pt.Q, Shape: append([]int(nil), t.Shape...), FixPos: pt.FixPos}
		default:
			root := pt
			for i := 0; root != nil && root.Inherit != "" && i <= len(p.Points); i++ {
				root = p.Point(root.Inherit)
			}
			if root == nil {
				return nil, fmt.Errorf("dpu: emulator: point %q inherits from an unquantized value", pt.Tensor)
			}
			eg.fix[pt.Tensor] = root.FixPos
		}
	}
	for _, np := range p.Nodes {
		if np.OnDPU() && np.Approx != quant.ApproxNone {
			eg.approx[np.Node.Name] = &emuApprox{Kind: np.Approx, N: np.AvgN, M: np.AvgM}
		}
	}
	return eg, nil
}

// fromQDQ reads fixq's QDQ export (quant doc.go, "QDQ export"): int8
// initializers behind DequantizeLinear are parameters; each
// [Add ε] -> QuantizeLinear -> DequantizeLinear chain gives its output
// value a fix_pos (scale 2^-fp, zero point 0) and disappears; the exported
// forms of the approximations (LeakyRelu alpha 26/256, HardSigmoid
// 2731/16384, HardSigmoid -> Q/DQ fp 7 -> Mul, average pool -> Mul gain)
// become approximated nodes again. m is not modified.
func fromQDQ(m *graph.Model) (*emuGraph, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("dpu: emulator: no graph")
	}
	src := m.Graph
	g := &graph.Graph{Name: src.Name, Inputs: src.Inputs, Outputs: append([]graph.ValueInfo(nil), src.Outputs...),
		Initializers: map[string]*tensor.Tensor{}}
	for _, k := range src.InitializerOrder {
		if v := src.Initializers[k]; v != nil {
			g.SetInitializer(k, v)
		}
	}
	for k, v := range src.Initializers {
		if g.Initializers[k] == nil {
			g.SetInitializer(k, v)
		}
	}
	eg := &emuGraph{model: &graph.Model{IRVersion: m.IRVersion, Opsets: m.Opsets, Graph: g, Metadata: m.Metadata},
		fix: map[string]int{}, params: map[string]*emuParam{}, approx: map[string]*emuApprox{}}
	prod := src.Producers()
	cons := src.Consumers()
	isInput := map[string]bool{}
	for _, vi := range src.Inputs {
		isInput[vi.Name] = true
	}
	removed := map[*graph.Node]bool{}
	// rename maps a value to the name it takes in the emulator graph.
	rename := map[string]string{}
	// renameOut maps a producer's output to its new name.
	renameOut := map[string]string{}
	// extra are pseudo quantize nodes, placed where their DQ stood.
	extra := map[*graph.Node]*graph.Node{}

	for _, n := range src.Nodes {
		if n.OpType != "DequantizeLinear" || (n.Domain != "" && n.Domain != "ai.onnx") {
			continue
		}
		if len(n.Inputs) < 2 || len(n.Outputs) != 1 {
			return nil, n.Errorf("dpu: emulator: DequantizeLinear needs x, scale and one output")
		}
		fp, err := qdqFixPos(src, n)
		if err != nil {
			return nil, err
		}
		out := n.Outputs[0]
		if t := src.Initializers[n.Inputs[0]]; t != nil {
			if t.DType != tensor.Int8 {
				return nil, n.Errorf("dpu: emulator: parameter %q is %s, want int8", n.Inputs[0], t.DType)
			}
			pr := &emuParam{Q: t.I8, Shape: append([]int(nil), t.Shape...), FixPos: fp}
			eg.params[out] = pr
			g.SetInitializer(out, pr.dequantized())
			removed[n] = true
			continue
		}
		q := prod[n.Inputs[0]]
		if q == nil || q.OpType != "QuantizeLinear" || len(q.Inputs) < 2 || len(cons[n.Inputs[0]]) != 1 {
			return nil, n.Errorf("dpu: emulator: DequantizeLinear input %q does not come from a QuantizeLinear of this value only", n.Inputs[0])
		}
		qfp, err := qdqFixPos(src, q)
		if err != nil {
			return nil, err
		}
		if qfp != fp {
			return nil, n.Errorf("dpu: emulator: QuantizeLinear %q and DequantizeLinear scales differ (2^-%d vs 2^-%d)", q.Name, qfp, fp)
		}
		removed[n], removed[q] = true, true
		pre := q.Inputs[0]
		if a := prod[pre]; a != nil && isTieBreak(src, a, fp) && len(cons[pre]) == 1 {
			removed[a] = true
			pre = a.Inputs[0]
			if src.Initializers[pre] != nil {
				pre = a.Inputs[1]
			}
		}
		chainOnly := len(cons[pre]) == 1 && !src.IsOutput(pre)
		switch {
		case isInput[pre] && chainOnly:
			rename[out] = pre
			eg.fix[pre] = fp
		case prod[pre] != nil && chainOnly:
			renameOut[pre] = out
			eg.fix[out] = fp
		default:
			// The unquantized value has other readers: quantize it in a
			// node of its own.
			extra[n] = &graph.Node{Name: n.Name, Domain: emuDomain, OpType: "Quantize", Inputs: []string{pre}, Outputs: []string{out}}
			eg.fix[out] = fp
		}
	}
	for _, n := range src.Nodes {
		if removed[n] {
			if x := extra[n]; x != nil {
				g.Nodes = append(g.Nodes, x)
			}
			continue
		}
		c := &graph.Node{Name: n.Name, Domain: n.Domain, OpType: n.OpType, Attrs: n.Attrs,
			Inputs: append([]string(nil), n.Inputs...), Outputs: append([]string(nil), n.Outputs...)}
		g.Nodes = append(g.Nodes, c)
	}
	for _, n := range g.Nodes {
		for i, v := range n.Inputs {
			if r, ok := rename[v]; ok {
				n.Inputs[i] = r
			}
		}
		for i, v := range n.Outputs {
			if r, ok := renameOut[v]; ok {
				n.Outputs[i] = r
			}
		}
	}
	for i, o := range g.Outputs {
		if r, ok := rename[o.Name]; ok {
			g.Outputs[i].Name = r
		}
	}
	eg.recoverApprox()
	return eg, nil
}

// emuDomain is the domain of the emulator's own pseudo nodes.
const emuDomain = "fixq.emu"

// qdqFixPos reads a QuantizeLinear/DequantizeLinear node's scale (a
// scalar float32 power of two) and zero point (absent or int8 0).
func qdqFixPos(g *graph.Graph, n *graph.Node) (int, error) {
	s := g.Initializers[n.Inputs[1]]
	if s == nil || s.DType != tensor.Float32 || len(s.F32) != 1 {
		return 0, n.Errorf("dpu: emulator: scale %q is not a constant float32 scalar (per-tensor scales only)", n.Inputs[1])
	}
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		z := g.Initializers[n.Inputs[2]]
		if z == nil || z.DType != tensor.Int8 || len(z.I8) != 1 || z.I8[0] != 0 {
			return 0, n.Errorf("dpu: emulator: zero point %q is not the int8 constant 0 (symmetric int8 only)", n.Inputs[2])
		}
	} else {
		return 0, n.Errorf("dpu: emulator: no zero point: the DPU scheme is int8 with zero point 0")
	}
	frac, exp := math.Frexp(float64(s.F32[0]))
	if frac != 0.5 {
		return 0, n.Errorf("dpu: emulator: scale %g is not a power of two", s.F32[0])
	}
	return 1 - exp, nil
}

// isTieBreak reports whether a is the export's Add of ε = 2^-(r+1) LSB in
// front of a QuantizeLinear at fix_pos fp (quant tiebreak.go): one input a
// float32 scalar constant below half an LSB.
func isTieBreak(g *graph.Graph, a *graph.Node, fp int) bool {
	if a.OpType != "Add" || len(a.Inputs) != 2 {
		return false
	}
	for _, v := range a.Inputs {
		if t := g.Initializers[v]; t != nil && t.DType == tensor.Float32 && len(t.F32) == 1 {
			e := float64(t.F32[0])
			return e > 0 && e < math.Ldexp(0.5, -fp)
		}
	}
	return false
}

// recoverApprox marks the exported forms of the §3 approximations.
func (eg *emuGraph) recoverApprox() {
	g := eg.model.Graph
	prod := g.Producers()
	cons := g.Consumers()
	drop := map[*graph.Node]bool{}
	for _, n := range g.Nodes {
		switch n.OpType {
		case "LeakyRelu":
			if a, _ := n.AttrFloat("alpha", 0.01); a == float32(quant.LeakyReluSlope) {
				eg.approx[n.Name] = &emuApprox{Kind: quant.ApproxLeakyRelu}
			}
		case "HardSigmoid":
			a, _ := n.AttrFloat("alpha", 0.2)
			b, _ := n.AttrFloat("beta", 0.5)
			if a == quant.HardSigmoidAlpha && b == quant.HardSigmoidBeta {
				eg.approx[n.Name] = &emuApprox{Kind: quant.ApproxHardSigmoid}
			}
		case "Mul":
			if len(n.Inputs) != 2 {
				continue
			}
			// HardSwish: HardSigmoid(x) at fix_pos 7, then x·h.
			for k := 0; k < 2; k++ {
				x, h := n.Inputs[1-k], n.Inputs[k]
				hs := prod[h]
				fp, ok := eg.fix[h]
				if hs == nil || !ok || fp != quant.HardSwishSigmoidFixPos || len(cons[h]) != 1 || g.IsOutput(h) ||
					eg.approx[hs.Name] == nil || eg.approx[hs.Name].Kind != quant.ApproxHardSigmoid || hs.Inputs[0] != x {
					continue
				}
				delete(eg.approx, hs.Name)
				delete(eg.fix, h)
				drop[hs] = true
				n.OpType, n.Inputs, n.Attrs = "HardSwish", []string{x}, nil
				eg.approx[n.Name] = &emuApprox{Kind: quant.ApproxHardSwish}
				break
			}
			if n.OpType != "Mul" {
				continue
			}
			// Average pool followed by its DPU gain.
			for k := 0; k < 2; k++ {
				avg, gain := n.Inputs[k], n.Inputs[1-k]
				gt := g.Initializers[gain]
				p := prod[avg]
				if gt == nil || gt.DType != tensor.Float32 || len(gt.F32) != 1 || p == nil || len(cons[avg]) != 1 ||
					g.IsOutput(avg) || !isAvgOp(p.OpType) {
					continue
				}
				if _, q := eg.fix[avg]; q {
					continue
				}
				p.Outputs[0] = n.Outputs[0]
				drop[n] = true
				eg.approx[p.Name] = &emuApprox{Kind: quant.ApproxAvgPool, Gain: float64(gt.F32[0])}
				break
			}
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := g.Nodes[:0]
	for _, n := range g.Nodes {
		if !drop[n] {
			kept = append(kept, n)
		}
	}
	g.Nodes = kept
}

func isAvgOp(op string) bool {
	return op == "AveragePool" || op == "GlobalAveragePool" || op == "ReduceMean"
}

// avgMultiplier returns N, M with N/2^M the DPU reciprocal of a window of
// rec elements: the planned values, or the exact split of a QDQ gain
// N·rec/2^M (any split of the same rational gives the same result, the
// arithmetic being exact).
func (a *emuApprox) avgMultiplier(rec int) (n, m int, err error) {
	if a.N > 0 {
		return a.N, a.M, nil
	}
	for m := 0; m <= 40; m++ {
		v := math.Ldexp(a.Gain, m) / float64(rec)
		if v == math.Trunc(v) && v >= 1 && v < 1<<31 && math.Ldexp(a.Gain, m) == v*float64(rec) {
			return int(v), m, nil
		}
	}
	return 0, 0, fmt.Errorf("average gain %g is not N·%d/2^M for an integer N", a.Gain, rec)
}
