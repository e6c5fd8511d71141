package passes

import (
	"context"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/ops"
	"fixq/core/tensor"
)

// maxFoldElements bounds the tensors constant folding may create.
const maxFoldElements = 1 << 24

// FoldConstants evaluates every node whose value does not depend on the
// model's data: nodes on constants only, and shape arithmetic (Shape, Size
// and what is computed from them). Shape arithmetic is evaluated on two
// probes, batch 1 and batch 2: values equal in both become initializers; a
// Reshape target that differs only in dim 0 (1 vs 2) gets 0 there, which
// ONNX reads as "copy the input's dim", so the batch stays dynamic.
// inputShapes sizes dynamic non-batch input dims (written into the input
// declarations, since folding specialises the model to them).
func FoldConstants(m *graph.Model, inputShapes map[string][]int) error {
	g := m.Graph
	for i, vi := range g.Inputs {
		given := inputShapes[vi.Name]
		for d := range vi.Shape {
			if d > 0 && vi.Shape[d].Value < 0 && given != nil && d < len(given) && given[d] > 0 {
				g.Inputs[i].Shape[d] = graph.Dim{Value: int64(given[d])}
			}
		}
	}
	// kind: 1 = pure constant, 2 = derived from shapes.
	kind := map[string]int{}
	for name := range g.Initializers {
		kind[name] = 1
	}
	ctx := &ops.Ctx{Opset: m.Opset()}
	var shapeNodes []*graph.Node
	kill := map[*graph.Node]bool{}
	for _, n := range g.Nodes {
		k := foldKind(n, kind)
		if k == 0 || anyOutput(g, n) {
			continue
		}
		if k == 2 {
			shapeNodes = append(shapeNodes, n)
			for _, o := range n.Outputs {
				kind[o] = 2
			}
			continue
		}
		kern, ok := ops.Lookup(n.Domain, n.OpType)
		if !ok {
			continue
		}
		in := make([]*tensor.Tensor, len(n.Inputs))
		for i, name := range n.Inputs {
			if name != "" {
				in[i] = g.Initializers[name]
			}
		}
		outs, err := kern(ctx, n, in)
		if err != nil {
			return err
		}
		if !smallEnough(outs) {
			continue
		}
		for i, o := range n.Outputs {
			if o != "" && i < len(outs) {
				g.SetInitializer(o, detach(outs[i]))
				kind[o] = 1
			}
		}
		kill[n] = true
	}
	removeNodes(g, kill)
	if len(shapeNodes) == 0 || ops.CheckSupported(g) != nil {
		return nil
	}
	probe := func(batch int) (map[string]*tensor.Tensor, error) {
		vals := map[string]*tensor.Tensor{}
		want := map[*graph.Node]bool{}
		for _, n := range shapeNodes {
			want[n] = true
		}
		s, err := engine.NewSession(m, engine.Options{AfterNode: func(n *graph.Node, outs []*tensor.Tensor) error {
			if want[n] {
				for i, o := range n.Outputs {
					if o != "" && i < len(outs) {
						vals[o] = outs[i].Clone()
					}
				}
			}
			return nil
		}})
		if err != nil {
			return nil, err
		}
		in, err := engine.ProbeInputs(m, inputShapes, batch)
		if err != nil {
			return nil, err
		}
		_, err = s.Run(context.Background(), in)
		return vals, err
	}
	v1, err := probe(1)
	if err != nil {
		return err
	}
	v2, err := probe(2)
	if err != nil {
		return err
	}
	kill = map[*graph.Node]bool{}
	for _, n := range shapeNodes {
		all := true
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			a, b := v1[o], v2[o]
			if a == nil || b == nil || !equalTensors(a, b) || !smallEnough([]*tensor.Tensor{a}) {
				all = false
			}
		}
		if !all {
			continue
		}
		for _, o := range n.Outputs {
			if o != "" {
				g.SetInitializer(o, v1[o])
			}
		}
		kill[n] = true
	}
	// Reshape targets that only follow the batch size.
	for _, n := range g.Nodes {
		if n.OpType != "Reshape" || len(n.Inputs) < 2 {
			continue
		}
		if az, _ := n.AttrInt("allowzero", 0); az != 0 {
			continue
		}
		target := n.Inputs[1]
		if _, isConst := g.Initializers[target]; isConst {
			continue
		}
		a, b := v1[target], v2[target]
		if a == nil || b == nil || a.DType != tensor.Int64 || b.DType != tensor.Int64 || len(a.I64) != len(b.I64) || len(a.I64) == 0 {
			continue
		}
		ok := a.I64[0] == 1 && b.I64[0] == 2
		for i := 1; i < len(a.I64); i++ {
			ok = ok && a.I64[i] == b.I64[i]
		}
		if !ok {
			continue
		}
		c := a.Clone()
		c.I64[0] = 0
		name := n.Name + "_shape"
		for g.Initializers[name] != nil {
			name += "_"
		}
		g.SetInitializer(name, c)
		n.Inputs[1] = name
	}
	removeNodes(g, kill)
	return RemoveDead(m)
}

// foldKind says whether n can be folded: 1 if all inputs are constants, 2
// if it is shape arithmetic, 0 if it depends on data.
func foldKind(n *graph.Node, kind map[string]int) int {
	if n.Domain != "" {
		return 0
	}
	switch n.OpType {
	case "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "If", "Loop", "Scan":
		return 0
	case "Shape", "Size":
		return 2
	}
	k := 1
	for _, in := range n.Inputs {
		if in == "" {
			continue
		}
		switch kind[in] {
		case 0:
			return 0
		case 2:
			k = 2
		}
	}
	return k
}

func anyOutput(g *graph.Graph, n *graph.Node) bool {
	for _, o := range n.Outputs {
		if g.IsOutput(o) {
			return true
		}
	}
	return false
}

func smallEnough(ts []*tensor.Tensor) bool {
	for _, t := range ts {
		if t != nil && t.Len() > maxFoldElements {
			return false
		}
	}
	return true
}

// detach copies a kernel output so it owns its storage (kernels may return
// views of their inputs).
func detach(t *tensor.Tensor) *tensor.Tensor { return t.Clone() }

func equalTensors(a, b *tensor.Tensor) bool {
	if a.DType != b.DType || !tensor.SameShape(a.Shape, b.Shape) {
		return false
	}
	switch a.DType {
	case tensor.Int64:
		for i := range a.I64 {
			if a.I64[i] != b.I64[i] {
				return false
			}
		}
	case tensor.Int32:
		for i := range a.I32 {
			if a.I32[i] != b.I32[i] {
				return false
			}
		}
	case tensor.Float32:
		for i := range a.F32 {
			if a.F32[i] != b.F32[i] {
				return false
			}
		}
	case tensor.Bool:
		for i := range a.B {
			if a.B[i] != b.B[i] {
				return false
			}
		}
	case tensor.Int8:
		for i := range a.I8 {
			if a.I8[i] != b.I8[i] {
				return false
			}
		}
	case tensor.Uint8:
		for i := range a.U8 {
			if a.U8[i] != b.U8[i] {
				return false
			}
		}
	}
	return true
}

// RemoveDead drops nodes none of whose outputs reach a graph output, and
// initializers nothing reads.
func RemoveDead(m *graph.Model) error {
	g := m.Graph
	need := map[string]bool{}
	for _, o := range g.Outputs {
		need[o.Name] = true
	}
	keep := make([]bool, len(g.Nodes))
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		n := g.Nodes[i]
		for _, o := range n.Outputs {
			if need[o] {
				keep[i] = true
			}
		}
		if keep[i] {
			for _, in := range n.Inputs {
				if in != "" {
					need[in] = true
				}
			}
		}
	}
	kill := map[*graph.Node]bool{}
	for i, n := range g.Nodes {
		if !keep[i] {
			kill[n] = true
		}
	}
	removeNodes(g, kill)
	for _, name := range append([]string(nil), g.InitializerOrder...) {
		if !need[name] {
			g.RemoveInitializer(name)
		}
	}
	return nil
}
