package quant

// onnxruntime's QuantizeLinear rounds half to even; the DPU rounds half up
// (§1.2). The QDQ export closes the gap: before each QuantizeLinear it adds
// ε = 2^-(r+1) LSB, where the exact value being rounded is known to be a
// multiple of 2^-r LSB. A tie k+½ becomes k+½+ε and rounds up, as
// DPU_ROUND does, while no other value can cross a rounding boundary
// (the next multiple below a tie is 2^-r away). In float32 the addition is
// exact for |v| < 2^(23-r) LSB; larger values saturate anyway.

// inexactBits is r for values that are not on a known grid (model inputs,
// CPU-side float results, linear resize): ε = 2^-17 LSB, which changes the
// rounding only of values within that distance below a tie.
const inexactBits = 16

// roundingBits returns r for a point: the exact value to be quantized is
// a multiple of 2^-r LSB. ok is false when no rounding happens at all
// (values already on the grid: data-movement outputs, r <= 0).
func (p *Plan) roundingBits(pt *Point) (r int, ok bool) {
	if pt.Inherit != "" || pt.Kind.isParam() {
		return 0, false
	}
	np := p.byNode[pt.Node]
	if pt.Kind == KindInput || np == nil || !np.OnDPU() {
		return inexactBits, true
	}
	fo := pt.FixPos
	fp := func(v string) int { f, _ := p.fixPos(v); return f }
	maxIn := func(n *NodePlan) int {
		m := -1 << 30
		for _, k := range dataInputs(n.Node) {
			if v := n.Node.Inputs[k]; v != "" {
				m = max(m, fp(v))
			}
		}
		return m
	}
	src := np
	if np.FusedFrom != "" {
		src = p.byNode[np.FusedFrom]
	}
	switch {
	case src.role == roleConvLike:
		r = fp(src.Input) + p.byTensor[src.Weight].FixPos
		if src.Bias != "" {
			r = max(r, p.byTensor[src.Bias].FixPos)
		}
		r -= fo
		if np.Approx == ApproxLeakyRelu {
			r += 7 // ·26/256 = ·13/2^7 (§3.1)
		}
	case src.Node.OpType == "Add" || src.Node.OpType == "Sum" || src.Node.OpType == "Concat":
		r = maxIn(src) - fo
	case src.Node.OpType == "Mul":
		r = -fo
		for _, v := range src.Node.Inputs {
			r += fp(v)
		}
	case np.Approx == ApproxAvgPool:
		r = fp(np.Node.Inputs[0]) + np.AvgM - fo
	case np.Approx == ApproxHardSigmoid:
		r = HardSigmoidShift + fp(np.Node.Inputs[0]) - fo
	case np.Approx == ApproxHardSwish:
		r = fp(np.Node.Inputs[0]) + HardSwishSigmoidFixPos - fo
	case np.role == roleAct: // standalone Relu / Clip / LeakyRelu on grid input
		r = fp(np.Node.Inputs[0]) - fo
		if np.Approx == ApproxLeakyRelu {
			r += 7
		}
	default:
		r = inexactBits
	}
	if r <= 0 {
		return 0, false
	}
	return min(r, inexactBits), true
}
