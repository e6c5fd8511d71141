package quant

import (
	"fmt"
	"math"
	"strconv"

	"fixq/core/graph"
	"fixq/core/passes"
	"fixq/core/tensor"
)

// QDQOpset is the lowest ai.onnx opset of an exported QDQ model: int8
// QuantizeLinear/DequantizeLinear need 10, the per-tensor forms used here
// are stable from 13.
const QDQOpset = 13

// exportQDQ writes the quantized model as ONNX QDQ (see doc.go, "QDQ
// export"): every input/activation point T becomes T_float -> Quantize
// Linear -> DequantizeLinear -> T, every parameter an int8 initializer
// read through DequantizeLinear under its original name, and the §3
// approximations are written into the graph. Names and order depend only
// on the model and the plan, so the bytes are deterministic.
func exportQDQ(pm *graph.Model, p *Plan, meta map[string]TensorMeta) (*graph.Model, error) {
	qm := passes.Clone(pm)
	qm.Graph.ValueInfo = nil
	if qm.Opset() < QDQOpset {
		if err := upgradeOpset(qm, QDQOpset, meta); err != nil {
			return nil, err
		}
	}
	qm.IRVersion = max(qm.IRVersion, 7)
	if qm.Metadata == nil {
		qm.Metadata = map[string]string{}
	}
	qm.Metadata["fixq.quantization"] = "dpu-int8-pof2"
	g := qm.Graph
	x := &qdqBuilder{plan: p, g: g, used: usedNames(g)}

	var head []*graph.Node
	// Parameters: int8 initializer + DequantizeLinear under the old name.
	for _, pt := range p.Points {
		if !pt.Kind.isParam() {
			continue
		}
		f := g.Initializers[pt.Tensor]
		q := &tensor.Tensor{DType: tensor.Int8, Shape: append([]int(nil), f.Shape...), I8: append([]int8(nil), pt.Q...)}
		g.RemoveInitializer(pt.Tensor)
		qn := x.name(pt.Tensor + "_quantized")
		g.SetInitializer(qn, q)
		head = append(head, x.node("DequantizeLinear", pt.Tensor+"_DequantizeLinear", []string{qn, x.scale(pt.FixPos), x.zeroPoint()}, []string{pt.Tensor}))
	}
	// Graph inputs.
	for _, vi := range g.Inputs {
		pt := p.byTensor[vi.Name]
		if pt == nil {
			continue
		}
		dq := x.name(vi.Name + "_dequantized")
		r, ok := p.roundingBits(pt)
		head = append(head, x.qdq(vi.Name, dq, pt.FixPos, r, ok)...)
		for _, n := range g.Nodes {
			for i, in := range n.Inputs {
				if in == vi.Name {
					n.Inputs[i] = dq
				}
			}
		}
	}
	var body []*graph.Node
	for _, n := range g.Nodes {
		np := p.byNode[n.Name]
		outs := append([]string(nil), n.Outputs...)
		var emitted []*graph.Node
		var err error
		if np != nil && np.OnDPU() && np.Approx != ApproxNone {
			emitted, err = x.approximate(n, np)
			if err != nil {
				return nil, err
			}
		} else {
			emitted = []*graph.Node{n}
		}
		body = append(body, emitted...)
		for _, o := range outs {
			pt := p.byTensor[o]
			if pt == nil || o == "" {
				continue
			}
			// Rename the producer's output (the last emitted node writes o).
			pre := x.name(o + "_float")
			last := emitted[len(emitted)-1]
			for i, lo := range last.Outputs {
				if lo == o {
					last.Outputs[i] = pre
				}
			}
			r, ok := p.roundingBits(pt)
			body = append(body, x.qdq(pre, o, pt.FixPos, r, ok)...)
		}
	}
	g.Nodes = append(head, body...)
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("quant: QDQ export produced an invalid graph (internal error): %w", err)
	}
	return qm, nil
}

type qdqBuilder struct {
	plan *Plan
	g    *graph.Graph
	used map[string]bool
}

func usedNames(g *graph.Graph) map[string]bool {
	used := map[string]bool{}
	for _, vi := range g.Inputs {
		used[vi.Name] = true
	}
	for k := range g.Initializers {
		used[k] = true
	}
	for _, n := range g.Nodes {
		used[n.Name] = true
		for _, o := range n.Outputs {
			used[o] = true
		}
	}
	return used
}

// name returns base, or base_2, base_3, ... if taken, and reserves it.
func (x *qdqBuilder) name(base string) string {
	s := base
	for k := 2; x.used[s]; k++ {
		s = base + "_" + strconv.Itoa(k)
	}
	x.used[s] = true
	return s
}

func (x *qdqBuilder) node(op, name string, in, out []string, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: x.name(name), OpType: op, Inputs: in, Outputs: out}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	return n
}

// scale returns the shared float32 initializer 2^-fp.
func (x *qdqBuilder) scale(fp int) string {
	name := fmt.Sprintf("fixq_scale_2^%d", -fp)
	if _, ok := x.g.Initializers[name]; !ok {
		x.used[name] = true
		x.g.SetInitializer(name, tensor.FromFloat32([]float32{float32(math.Ldexp(1, -fp))}))
	}
	return name
}

// zeroPoint returns the shared int8 zero point 0.
func (x *qdqBuilder) zeroPoint() string {
	const name = "fixq_zero_point_int8"
	if _, ok := x.g.Initializers[name]; !ok {
		x.used[name] = true
		x.g.SetInitializer(name, &tensor.Tensor{DType: tensor.Int8, Shape: []int{}, I8: []int8{0}})
	}
	return name
}

// qdq quantizes from into an int8 value and dequantizes it as to. With
// tieBreak, it first adds 2^-(r+1) LSB so that onnxruntime's half-to-even
// rounding gives DPU_ROUND (tiebreak.go).
func (x *qdqBuilder) qdq(from, to string, fp, r int, tieBreak bool) []*graph.Node {
	var nodes []*graph.Node
	if tieBreak {
		e := x.constant(fmt.Sprintf("fixq_tiebreak_2^%d", -(r+1+fp)), float32(math.Ldexp(1, -(r+1+fp))))
		up := x.name(to + "_tiebreak")
		nodes = append(nodes, x.node("Add", to+"_tiebreak", []string{from, e}, []string{up}))
		from = up
	}
	q := x.name(to + "_quantized")
	s, z := x.scale(fp), x.zeroPoint()
	return append(nodes,
		x.node("QuantizeLinear", to+"_QuantizeLinear", []string{from, s, z}, []string{q}),
		x.node("DequantizeLinear", to+"_DequantizeLinear", []string{q, s, z}, []string{to}))
}

// constant returns a shared float32 scalar initializer.
func (x *qdqBuilder) constant(name string, v float32) string {
	if _, ok := x.g.Initializers[name]; !ok {
		x.used[name] = true
		x.g.SetInitializer(name, tensor.FromFloat32([]float32{v}))
	}
	return name
}

// approximate rewrites a node into the ONNX ops that compute its DPU
// approximation (§3); the last returned node writes the node's output.
func (x *qdqBuilder) approximate(n *graph.Node, np *NodePlan) ([]*graph.Node, error) {
	switch np.Approx {
	case ApproxLeakyRelu:
		n.SetAttr(&graph.Attr{Name: "alpha", Type: graph.AttrFloat, F: float32(LeakyReluSlope)})
		return []*graph.Node{n}, nil
	case ApproxHardSigmoid:
		n.SetAttr(&graph.Attr{Name: "alpha", Type: graph.AttrFloat, F: HardSigmoidAlpha})
		n.SetAttr(&graph.Attr{Name: "beta", Type: graph.AttrFloat, F: HardSigmoidBeta})
		return []*graph.Node{n}, nil
	case ApproxHardSwish:
		// h = HardSigmoid_DPU(x) at fix_pos 7, then x·h (§3.3).
		in, out := n.Inputs[0], n.Outputs[0]
		h := x.name(out + "_hsigmoid")
		hs := x.node("HardSigmoid", n.Name+"_hsigmoid", []string{in}, []string{h},
			&graph.Attr{Name: "alpha", Type: graph.AttrFloat, F: HardSigmoidAlpha},
			&graph.Attr{Name: "beta", Type: graph.AttrFloat, F: HardSigmoidBeta})
		hq := x.name(h + "_fp7")
		fi, _ := x.plan.fixPos(in)
		r := HardSigmoidShift + fi - HardSwishSigmoidFixPos // §3.2 with fo = 7
		nodes := append([]*graph.Node{hs}, x.qdq(h, hq, HardSwishSigmoidFixPos, min(r, inexactBits), r > 0)...)
		mul := &graph.Node{Name: n.Name, OpType: "Mul", Inputs: []string{in, hq}, Outputs: []string{out}}
		return append(nodes, mul), nil
	case ApproxAvgPool:
		// avg·(N·window/2^M): the DPU's reciprocal as a gain (§3.4).
		out := n.Outputs[0]
		avg := x.name(out + "_avg")
		n.Outputs[0] = avg
		gain := x.name(n.Name + "_dpu_gain")
		x.g.SetInitializer(gain, tensor.FromFloat32([]float32{float32(avgGain(np.AvgN, np.AvgM, np.AvgRec))}))
		mul := x.node("Mul", n.Name+"_dpu_gain", []string{avg, gain}, []string{out})
		return []*graph.Node{n, mul}, nil
	}
	return nil, n.Errorf("quant: no QDQ form for approximation %q", np.Approx)
}
