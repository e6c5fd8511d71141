package passes

import (
	"fixq/core/graph"
)

// hsMatch is a written-out hard-sigmoid core: c = Clip(Add(x, 3), 0, 6).
type hsMatch struct {
	x        string
	add, clp *graph.Node
}

// matchRelu6Plus3 matches Clip(Add(x,3),0,6) producing value v, with the
// Add output read only by the Clip.
func matchRelu6Plus3(m *graph.Model, v string, prod map[string]*graph.Node, cons map[string][]*graph.Node) (hsMatch, bool) {
	g := m.Graph
	clp := prod[v]
	if clp == nil || clp.OpType != "Clip" || len(clp.Inputs) < 1 {
		return hsMatch{}, false
	}
	lo, hi, ok := m.ClipBounds(clp)
	if !ok || !near(float32(lo), 0) || !near(float32(hi), 6) {
		return hsMatch{}, false
	}
	a := clp.Inputs[0]
	add := prod[a]
	if add == nil || add.OpType != "Add" || len(add.Inputs) != 2 || len(cons[a]) != 1 || g.IsOutput(a) {
		return hsMatch{}, false
	}
	for k := 0; k < 2; k++ {
		if c, ok := scalarConst(g, add.Inputs[k]); ok && near(c, 3) {
			x := add.Inputs[1-k]
			if _, isConst := g.Initializers[x]; isConst {
				return hsMatch{}, false
			}
			return hsMatch{x: x, add: add, clp: clp}, true
		}
	}
	return hsMatch{}, false
}

// divBySix reports whether n is Div(v, 6) or Mul(v, 1/6) (either operand
// order for Mul), returning v.
func divBySix(g *graph.Graph, n *graph.Node) (string, bool) {
	if len(n.Inputs) != 2 {
		return "", false
	}
	switch n.OpType {
	case "Div":
		if c, ok := scalarConst(g, n.Inputs[1]); ok && near(c, 6) {
			return n.Inputs[0], true
		}
	case "Mul":
		for k := 0; k < 2; k++ {
			if c, ok := scalarConst(g, n.Inputs[k]); ok && near(c, 1.0/6) {
				return n.Inputs[1-k], true
			}
		}
	}
	return "", false
}

// FuseHardSwish replaces x*Clip(x+3,0,6)/6 (Mul operands in either order,
// /6 as Div or as Mul by 1/6) by one HardSwish node, and also
// x*HardSigmoid(x) with alpha 1/6, beta 0.5.
func FuseHardSwish(m *graph.Model) error {
	g := m.Graph
	prod := g.Producers()
	cons := g.Consumers()
	kill := map[*graph.Node]bool{}
	single := func(v string) bool { return len(cons[v]) == 1 && !g.IsOutput(v) }
	for _, n := range g.Nodes {
		if kill[n] {
			continue
		}
		// Form 1: Div(Mul(x, C), 6) with C = Clip(Add(x,3),0,6).
		if mv, ok := divBySix(g, n); ok {
			mul := prod[mv]
			if mul == nil || mul.OpType != "Mul" || len(mul.Inputs) != 2 || !single(mv) || kill[mul] {
				continue
			}
			for k := 0; k < 2; k++ {
				c := mul.Inputs[k]
				hm, ok := matchRelu6Plus3(m, c, prod, cons)
				if !ok || hm.x != mul.Inputs[1-k] || !single(c) {
					continue
				}
				kill[mul], kill[hm.add], kill[hm.clp] = true, true, true
				replaceWithUnary(n, "HardSwish", hm.x)
				break
			}
			continue
		}
		// Form 2: Mul(x, HardSigmoid(x, 1/6, 0.5)).
		if n.OpType == "Mul" && len(n.Inputs) == 2 {
			for k := 0; k < 2; k++ {
				h := prod[n.Inputs[k]]
				if h == nil || h.OpType != "HardSigmoid" || h.Inputs[0] != n.Inputs[1-k] || !single(n.Inputs[k]) || kill[h] {
					continue
				}
				alpha, _ := h.AttrFloat("alpha", 0.2)
				beta, _ := h.AttrFloat("beta", 0.5)
				if !near(alpha, 1.0/6) || !near(beta, 0.5) {
					continue
				}
				kill[h] = true
				replaceWithUnary(n, "HardSwish", n.Inputs[1-k])
				break
			}
		}
	}
	removeNodes(g, kill)
	return nil
}

// FuseHardSigmoid replaces Clip(x+3,0,6)/6 by HardSigmoid(alpha=1/6,
// beta=0.5). Run it after FuseHardSwish.
func FuseHardSigmoid(m *graph.Model) error {
	g := m.Graph
	prod := g.Producers()
	cons := g.Consumers()
	kill := map[*graph.Node]bool{}
	for _, n := range g.Nodes {
		cv, ok := divBySix(g, n)
		if !ok || kill[n] {
			continue
		}
		hm, ok := matchRelu6Plus3(m, cv, prod, cons)
		if !ok || len(cons[cv]) != 1 || g.IsOutput(cv) || kill[hm.clp] {
			continue
		}
		kill[hm.add], kill[hm.clp] = true, true
		replaceWithUnary(n, "HardSigmoid", hm.x)
		n.SetAttr(&graph.Attr{Name: "alpha", Type: graph.AttrFloat, F: 1.0 / 6})
		n.SetAttr(&graph.Attr{Name: "beta", Type: graph.AttrFloat, F: 0.5})
	}
	removeNodes(g, kill)
	return nil
}

// replaceWithUnary turns n into op(x), keeping its name and output.
func replaceWithUnary(n *graph.Node, op, x string) {
	n.OpType = op
	n.Domain = ""
	n.Inputs = []string{x}
	n.Attrs = nil
	n.AttrOrder = nil
}
