package passes

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// FoldBatchNorm folds an inference BatchNormalization into the Conv,
// ConvTranspose or Gemm that feeds it (when that output has no other
// reader): with s = scale/sqrt(var+eps) per channel, W' = W*s on the output
// channel axis and b' = (b-mean)*s + B. New tensors replace the old ones;
// nothing is edited in place.
func FoldBatchNorm(m *graph.Model) error {
	g := m.Graph
	prod := g.Producers()
	cons := g.Consumers()
	kill := map[*graph.Node]bool{}
	for _, bn := range g.Nodes {
		if bn.OpType != "BatchNormalization" || bn.Domain != "" || len(bn.Inputs) != 5 || countNonEmptyOutputs(bn) != 1 {
			continue
		}
		x := bn.Inputs[0]
		p := prod[x]
		if p == nil || kill[p] || len(cons[x]) != 1 || g.IsOutput(x) || len(p.Outputs) != 1 {
			continue
		}
		if tm, _ := bn.AttrInt("training_mode", 0); tm != 0 {
			continue
		}
		eps, err := bn.AttrFloat("epsilon", 1e-5)
		if err != nil {
			return err
		}
		var params [4]*tensor.Tensor
		ok := true
		for i := 0; i < 4; i++ {
			t := g.Initializers[bn.Inputs[1+i]]
			if t == nil || t.DType != tensor.Float32 || t.Rank() != 1 {
				ok = false
				break
			}
			params[i] = t
		}
		if !ok {
			continue
		}
		c := params[0].Len()
		if params[1].Len() != c || params[2].Len() != c || params[3].Len() != c {
			continue
		}
		s := make([]float64, c)
		t := make([]float64, c)
		for i := 0; i < c; i++ {
			s[i] = float64(params[0].F32[i]) / math.Sqrt(float64(params[3].F32[i])+float64(eps))
			t[i] = float64(params[1].F32[i]) - float64(params[2].F32[i])*s[i]
		}
		var folded bool
		switch p.OpType {
		case "Conv", "ConvTranspose":
			folded = foldIntoConv(g, p, s, t)
		case "Gemm":
			folded = foldIntoGemm(g, p, s, t)
		}
		if !folded {
			continue
		}
		p.Outputs[0] = bn.Outputs[0]
		kill[bn] = true
	}
	removeNodes(g, kill)
	return RemoveDead(m)
}

func countNonEmptyOutputs(n *graph.Node) int {
	c := 0
	for _, o := range n.Outputs {
		if o != "" {
			c++
		}
	}
	return c
}

func foldIntoConv(g *graph.Graph, p *graph.Node, s, t []float64) bool {
	if len(p.Inputs) < 2 {
		return false
	}
	w := g.Initializers[p.Inputs[1]]
	if w == nil || w.DType != tensor.Float32 || w.Rank() < 3 {
		return false
	}
	groups, err := p.AttrInt("group", 1)
	if err != nil || groups < 1 {
		return false
	}
	oc := w.Shape[0]
	per := w.Len() / w.Shape[0]
	chanOf := func(i int) int { return i / per } // Conv: W[oc, ic/g, k...]
	if p.OpType == "ConvTranspose" {
		// W[ic, oc/g, k...]: output channel = group*(oc/g) + j.
		ic := w.Shape[0]
		ocg := w.Shape[1]
		oc = ocg * int(groups)
		if ic%int(groups) != 0 {
			return false
		}
		icg := ic / int(groups)
		k := w.Len() / (ic * ocg)
		chanOf = func(i int) int {
			in := i / (ocg * k)
			j := (i / k) % ocg
			return (in/icg)*ocg + j
		}
	}
	if oc != len(s) {
		return false
	}
	nw := w.Clone()
	for i := range nw.F32 {
		nw.F32[i] = float32(float64(w.F32[i]) * s[chanOf(i)])
	}
	nb := tensor.MustNew(tensor.Float32, oc)
	var b *tensor.Tensor
	if len(p.Inputs) > 2 && p.Inputs[2] != "" {
		b = g.Initializers[p.Inputs[2]]
		if b == nil || b.DType != tensor.Float32 || b.Len() != oc {
			return false
		}
	}
	for i := 0; i < oc; i++ {
		bi := 0.0
		if b != nil {
			bi = float64(b.F32[i])
		}
		nb.F32[i] = float32(bi*s[i] + t[i])
	}
	wName := uniqueName(g, p.Name+"_W_bnfold")
	g.SetInitializer(wName, nw)
	bName := uniqueName(g, p.Name+"_B_bnfold")
	g.SetInitializer(bName, nb)
	p.Inputs[1] = wName
	if len(p.Inputs) > 2 {
		p.Inputs[2] = bName
	} else {
		p.Inputs = append(p.Inputs, bName)
	}
	return true
}

func foldIntoGemm(g *graph.Graph, p *graph.Node, s, t []float64) bool {
	if len(p.Inputs) < 2 {
		return false
	}
	w := g.Initializers[p.Inputs[1]]
	if w == nil || w.DType != tensor.Float32 || w.Rank() != 2 {
		return false
	}
	alpha, err1 := p.AttrFloat("alpha", 1)
	beta, err2 := p.AttrFloat("beta", 1)
	transB, err3 := p.AttrInt("transB", 0)
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	n := w.Shape[1]
	if transB != 0 {
		n = w.Shape[0]
	}
	if n != len(s) {
		return false
	}
	nw := w.Clone()
	for i := range nw.F32 {
		col := i % w.Shape[1]
		if transB != 0 {
			col = i / w.Shape[1]
		}
		nw.F32[i] = float32(float64(w.F32[i]) * s[col])
	}
	var c *tensor.Tensor
	if len(p.Inputs) > 2 && p.Inputs[2] != "" {
		c = g.Initializers[p.Inputs[2]]
		if c == nil || c.DType != tensor.Float32 || c.Len() != n {
			return false
		}
	}
	nc := tensor.MustNew(tensor.Float32, n)
	for i := 0; i < n; i++ {
		ci := 0.0
		if c != nil {
			ci = float64(beta) * float64(c.F32[i])
		}
		// Y = alpha*A*W + beta*C, then BN: s*Y + t. Keep alpha, put s in W.
		nc.F32[i] = float32(ci*s[i] + t[i])
	}
	wName := uniqueName(g, p.Name+"_W_bnfold")
	g.SetInitializer(wName, nw)
	cName := uniqueName(g, p.Name+"_C_bnfold")
	g.SetInitializer(cName, nc)
	p.Inputs[1] = wName
	if len(p.Inputs) > 2 {
		p.Inputs[2] = cName
	} else {
		p.Inputs = append(p.Inputs, cName)
	}
	p.SetAttr(&graph.Attr{Name: "beta", Type: graph.AttrFloat, F: 1})
	_ = alpha
	return true
}

// uniqueName returns base, or base with a numeric suffix, unused by any
// initializer or node output.
func uniqueName(g *graph.Graph, base string) string {
	used := func(n string) bool {
		if _, ok := g.Initializers[n]; ok {
			return true
		}
		for _, nd := range g.Nodes {
			for _, o := range nd.Outputs {
				if o == n {
					return true
				}
			}
		}
		for _, in := range g.Inputs {
			if in.Name == n {
				return true
			}
		}
		return false
	}
	name := base
	for i := 1; used(name); i++ {
		name = base + "_" + itoa(i)
	}
	return name
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}
