package passes

import (
	"fixq/core/graph"
)

// Prepare runs every pass in order on m (in place): the form the quantizer,
// the Inspector and the emulator work on. inputShapes gives sizes for
// dynamic non-batch input dims (see engine.ResolveShape); they are written
// into the model's input declarations since shape folding specialises the
// model to them. The batch dim stays dynamic.
func Prepare(m *graph.Model, inputShapes map[string][]int) error {
	steps := []func(*graph.Model) error{
		ConstantsToInitializers,
		RemoveIdentity,
		func(m *graph.Model) error { return FoldConstants(m, inputShapes) },
		FoldBatchNorm,
		FuseHardSwish,
		FuseHardSigmoid,
		RemoveDead,
	}
	for _, step := range steps {
		if err := step(m); err != nil {
			return err
		}
	}
	return m.Graph.Validate()
}

// Clone deep-copies the graph structure of m (nodes, attributes, value
// infos) while sharing initializer tensors, which passes never edit in
// place. Use it to keep a caller's model untouched.
func Clone(m *graph.Model) *graph.Model {
	c := *m
	c.Opsets = map[string]int64{}
	for k, v := range m.Opsets {
		c.Opsets[k] = v
	}
	g := *m.Graph
	g.Inputs = cloneVIs(g.Inputs)
	g.Outputs = cloneVIs(g.Outputs)
	g.ValueInfo = cloneVIs(g.ValueInfo)
	g.Initializers = make(map[string]*tensorT, len(m.Graph.Initializers))
	for k, v := range m.Graph.Initializers {
		g.Initializers[k] = v
	}
	g.InitializerOrder = append([]string(nil), m.Graph.InitializerOrder...)
	g.Nodes = make([]*graph.Node, len(m.Graph.Nodes))
	for i, n := range m.Graph.Nodes {
		nn := *n
		nn.Inputs = append([]string(nil), n.Inputs...)
		nn.Outputs = append([]string(nil), n.Outputs...)
		nn.AttrOrder = append([]string(nil), n.AttrOrder...)
		nn.Attrs = make(map[string]*graph.Attr, len(n.Attrs))
		for k, a := range n.Attrs {
			aa := *a
			nn.Attrs[k] = &aa
		}
		g.Nodes[i] = &nn
	}
	c.Graph = &g
	return &c
}

func cloneVIs(v []graph.ValueInfo) []graph.ValueInfo {
	out := make([]graph.ValueInfo, len(v))
	for i, x := range v {
		x.Shape = append([]graph.Dim(nil), x.Shape...)
		out[i] = x
	}
	return out
}
