package graph

import (
	"math"

	"fixq/core/tensor"
)

// ClipBounds reads a Clip node's bounds: attributes min/max before opset
// 11, optional constant inputs (one-element float32 initializers) from 11
// on; a missing bound is ±Inf. ok is false when a bound is not a constant
// or an attribute has the wrong type.
func (m *Model) ClipBounds(n *Node) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if m.Opset() < 11 {
		l, err1 := n.AttrFloat("min", float32(math.Inf(-1)))
		h, err2 := n.AttrFloat("max", float32(math.Inf(1)))
		return float64(l), float64(h), err1 == nil && err2 == nil
	}
	read := func(i int, def float64) (float64, bool) {
		if i >= len(n.Inputs) || n.Inputs[i] == "" {
			return def, true
		}
		t := m.Graph.Initializers[n.Inputs[i]]
		if t == nil || t.DType != tensor.Float32 || len(t.F32) != 1 {
			return 0, false
		}
		return float64(t.F32[0]), true
	}
	lo, ok1 := read(1, lo)
	hi, ok2 := read(2, hi)
	return lo, hi, ok1 && ok2
}
