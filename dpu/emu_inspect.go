package dpu

import (
	"fmt"

	"fixq/core/engine"
)

// Inspect runs the Inspector (Inspect) on the program's graph for target t
// (nil: the default) with the given input shapes (dynamic dims sized, batch
// 1 by default) and records each step's device and subgraph, reported by
// Steps. The devices say where Vitis AI would run each node; they do not
// change the arithmetic: a quantized node the target cannot take still
// computes its XIR fix op (the CPU runner's integer reference), and float
// nodes stay float (package doc, "Emulator").
func (p *Program) Inspect(t *Target, inputShapes map[string][]int) (*Report, error) {
	m := p.g.model
	for _, n := range m.Graph.Nodes {
		if n.Domain == emuDomain {
			return nil, fmt.Errorf("dpu: emulator: node %q is a quantization of a shared float value: the Inspector cannot read this graph", n.Name)
		}
	}
	shapes, err := engine.InferShapes(m, inputShapes)
	if err != nil {
		return nil, err
	}
	rep, err := Inspect(m, shapes, t)
	if err != nil {
		return nil, err
	}
	for _, st := range p.steps {
		if nr := rep.Node(st.node.Name); nr != nil {
			st.device, st.subgraph = nr.Device, nr.Subgraph
		}
	}
	return rep, nil
}
