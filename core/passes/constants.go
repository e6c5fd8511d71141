package passes

import (
	"fmt"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// ConstantsToInitializers turns every Constant node into an initializer of
// the same name (PaddleOCR keeps every weight in Constant nodes). A
// Constant that is itself a graph output stays a node.
func ConstantsToInitializers(m *graph.Model) error {
	g := m.Graph
	kill := map[*graph.Node]bool{}
	for _, n := range g.Nodes {
		if n.OpType != "Constant" || n.Domain != "" || len(n.Outputs) != 1 || g.IsOutput(n.Outputs[0]) {
			continue
		}
		t, err := constantValue(n)
		if err != nil {
			return err
		}
		g.SetInitializer(n.Outputs[0], t)
		kill[n] = true
	}
	removeNodes(g, kill)
	return nil
}

// constantValue reads a Constant node's value from whichever attribute
// holds it.
func constantValue(n *graph.Node) (*tensor.Tensor, error) {
	if len(n.Attrs) != 1 {
		return nil, n.Errorf("want exactly one value attribute, have %d", len(n.Attrs))
	}
	for _, a := range n.Attrs {
		switch a.Name {
		case "value":
			if a.T == nil {
				return nil, n.Errorf("value is not a tensor")
			}
			return a.T, nil
		case "value_float":
			return tensor.FromFloat32([]float32{a.F}), nil
		case "value_floats":
			return tensor.FromFloat32(append([]float32(nil), a.Floats...), len(a.Floats)), nil
		case "value_int":
			return tensor.FromInt64([]int64{a.I}), nil
		case "value_ints":
			return tensor.FromInt64(append([]int64(nil), a.Ints...), len(a.Ints)), nil
		default:
			return nil, n.Errorf("attribute %s is not supported", a.Name)
		}
	}
	return nil, fmt.Errorf("unreachable")
}

// RemoveIdentity removes Identity nodes and inference-mode Dropout nodes
// (whose mask output nothing reads), connecting readers to the input.
func RemoveIdentity(m *graph.Model) error {
	g := m.Graph
	kill := map[*graph.Node]bool{}
	cons := g.Consumers()
	prod := g.Producers()
	for _, n := range g.Nodes {
		if n.Domain != "" || (n.OpType != "Identity" && n.OpType != "Dropout") || len(n.Inputs) < 1 || len(n.Outputs) < 1 {
			continue
		}
		if n.OpType == "Dropout" {
			if len(n.Outputs) > 1 && n.Outputs[1] != "" && (len(cons[n.Outputs[1]]) > 0 || g.IsOutput(n.Outputs[1])) {
				continue // mask is used
			}
			if len(n.Inputs) > 2 && n.Inputs[2] != "" {
				if t, ok := g.Initializers[n.Inputs[2]]; !ok || t.DType != tensor.Bool || t.Len() != 1 || t.B[0] {
					continue // training_mode may be true
				}
			}
		}
		in, out := n.Inputs[0], n.Outputs[0]
		if !g.IsOutput(out) {
			renameInputs(g, out, in)
			kill[n] = true
			continue
		}
		// out is a graph output: rename the producer of in to out instead,
		// when in is a plain node output that is not a graph output itself.
		p := prod[in]
		if p == nil || g.IsOutput(in) {
			continue
		}
		for i, o := range p.Outputs {
			if o == in {
				p.Outputs[i] = out
			}
		}
		renameInputs(g, in, out)
		kill[n] = true
	}
	removeNodes(g, kill)
	return nil
}
