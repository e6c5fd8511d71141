package quant

import (
	"fmt"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// searchParams chooses the fix_pos of every parameter point once, from its
// float values with std_round (§1.3: params are computed once; §1.2).
func (p *Plan) searchParams(g *graph.Graph) error {
	for _, pt := range p.Points {
		if !pt.Kind.isParam() {
			continue
		}
		t := g.Initializers[pt.Tensor]
		if t == nil || t.DType != tensor.Float32 {
			return fmt.Errorf("quant: %s %q of node %q is not a float32 initializer", pt.Kind, pt.Tensor, pt.Node)
		}
		pt.FixPos = SearchFixPos(t.F32, pt.Method.scope(), RoundStd)
	}
	return nil
}

// quantizeParams fills every parameter point's int8 values at its current
// fix_pos (std_round, saturated).
func (p *Plan) quantizeParams(g *graph.Graph) {
	for _, pt := range p.Points {
		if !pt.Kind.isParam() {
			continue
		}
		t := g.Initializers[pt.Tensor]
		if len(pt.Q) != len(t.F32) {
			pt.Q = make([]int8, len(t.F32))
		}
		for i, x := range t.F32 {
			pt.Q[i] = QuantizeValue(float64(x), pt.FixPos, RoundStd)
		}
	}
}

// dequantizedParams returns a copy of g's initializers in which every
// parameter point is replaced by its dequantized int8 values.
func (p *Plan) dequantizedParams(g *graph.Graph) map[string]*tensor.Tensor {
	out := make(map[string]*tensor.Tensor, len(g.Initializers))
	for k, v := range g.Initializers {
		out[k] = v
	}
	for _, pt := range p.Points {
		if !pt.Kind.isParam() {
			continue
		}
		t := g.Initializers[pt.Tensor]
		d := &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), t.Shape...), F32: make([]float32, len(pt.Q))}
		for i, q := range pt.Q {
			d.F32[i] = float32(DequantizeValue(q, pt.FixPos))
		}
		out[pt.Tensor] = d
	}
	return out
}
