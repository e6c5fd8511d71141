package passes

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

type tensorT = tensor.Tensor

// rename replaces every read of old by new (node inputs and graph outputs
// are handled by the caller).
func renameInputs(g *graph.Graph, old, new string) {
	for _, n := range g.Nodes {
		for i, in := range n.Inputs {
			if in == old {
				n.Inputs[i] = new
			}
		}
	}
}

// removeNodes drops the nodes in kill (by pointer) keeping order.
func removeNodes(g *graph.Graph, kill map[*graph.Node]bool) {
	if len(kill) == 0 {
		return
	}
	out := g.Nodes[:0]
	for _, n := range g.Nodes {
		if !kill[n] {
			out = append(out, n)
		}
	}
	for i := len(out); i < len(g.Nodes); i++ {
		g.Nodes[i] = nil
	}
	g.Nodes = out
}

// scalarConst returns the single float value of a constant input (an
// initializer with one element), if it is one.
func scalarConst(g *graph.Graph, name string) (float32, bool) {
	t, ok := g.Initializers[name]
	if !ok || t.Len() != 1 {
		return 0, false
	}
	switch t.DType {
	case tensor.Float32:
		return t.F32[0], true
	case tensor.Int64:
		return float32(t.I64[0]), true
	case tensor.Int32:
		return float32(t.I32[0]), true
	}
	return 0, false
}

func near(a, b float32) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-6*(1+abs32(b))
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
