package finetune

import (
	"math"

	"fixq/core/quant"
	"fixq/core/train"
)

// SpecFromPlan reduces a quantizer plan to what training needs: every
// point that owns its fix_pos (inherited ones are no-ops on values already
// on their source's grid) with its rounding, and each node's DPU
// approximation.
func SpecFromPlan(p *quant.Plan) *train.Spec {
	s := &train.Spec{Points: map[string]train.Point{}, Nodes: map[string]train.NodeApprox{}}
	for _, pt := range p.Points {
		if pt.Inherit != "" {
			continue
		}
		r := train.RoundDPU
		if pt.Round == quant.RoundStd {
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
		case quant.ApproxLeakyRelu:
			a.Approx = train.ApproxLeakyRelu
		case quant.ApproxHardSigmoid:
			a.Approx = train.ApproxHardSigmoid
		case quant.ApproxHardSwish:
			a.Approx = train.ApproxHardSwish
		case quant.ApproxAvgPool:
			a = train.NodeApprox{Approx: train.ApproxAvgPool, Gain: math.Ldexp(float64(np.AvgN*np.AvgRec), -np.AvgM)}
		default:
			continue
		}
		s.Nodes[np.Node.Name] = a
	}
	return s
}
