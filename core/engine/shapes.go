package engine

import (
	"context"
	"fmt"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// ProbeInputs builds zero-filled tensors for the model's inputs, taking
// each fixed dim from the declaration and each symbolic dim from
// inputShapes (by input name) or, for a symbolic dim 0 (the batch), batch.
// Any other symbolic dim without a given size is an error naming it.
func ProbeInputs(m *graph.Model, inputShapes map[string][]int, batch int) (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	for _, vi := range m.Graph.Inputs {
		shape, err := ResolveShape(vi, inputShapes[vi.Name], batch)
		if err != nil {
			return nil, err
		}
		dt := vi.DType
		if dt == tensor.Undefined {
			dt = tensor.Float32
		}
		t, err := tensor.New(dt, shape...)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", vi.Name, err)
		}
		out[vi.Name] = t
	}
	return out, nil
}

// ResolveShape turns a declared input shape into a concrete one: given (if
// non-nil) must agree with every fixed dim; symbolic dims take given's
// value, or batch for dim 0.
func ResolveShape(vi graph.ValueInfo, given []int, batch int) ([]int, error) {
	if vi.Shape == nil {
		if given == nil {
			return nil, fmt.Errorf("input %q has no declared shape: give one", vi.Name)
		}
		return append([]int(nil), given...), nil
	}
	if given != nil && len(given) != len(vi.Shape) {
		return nil, fmt.Errorf("input %q: shape %v has rank %d, model wants %s", vi.Name, given, len(given), FormatDims(vi.Shape))
	}
	shape := make([]int, len(vi.Shape))
	for i, d := range vi.Shape {
		switch {
		case d.Value >= 0:
			if given != nil && given[i] != int(d.Value) {
				return nil, fmt.Errorf("input %q: shape %v does not match the model's %s", vi.Name, given, FormatDims(vi.Shape))
			}
			shape[i] = int(d.Value)
		case given != nil && given[i] > 0:
			shape[i] = given[i]
		case i == 0 && batch > 0:
			shape[i] = batch
		default:
			name := d.Param
			if name == "" {
				name = "?"
			}
			return nil, fmt.Errorf("input %q: dim %d (%s) of %s is dynamic: give its size", vi.Name, i, name, FormatDims(vi.Shape))
		}
	}
	return shape, nil
}

// InferShapes computes the static shape of every value in m by running it
// once on zero inputs (see ProbeInputs; batch 1). Running the float kernels
// is the shape inference: each kernel checks its inputs and fails with an
// error naming the node where a shape cannot be computed.
func InferShapes(m *graph.Model, inputShapes map[string][]int) (map[string][]int, error) {
	shapes := map[string][]int{}
	s, err := NewSession(m, Options{AfterNode: func(n *graph.Node, outs []*tensor.Tensor) error {
		for i, o := range n.Outputs {
			if o != "" && i < len(outs) && outs[i] != nil {
				shapes[o] = append([]int(nil), outs[i].Shape...)
			}
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	in, err := ProbeInputs(m, inputShapes, 1)
	if err != nil {
		return nil, err
	}
	for name, t := range in {
		shapes[name] = append([]int(nil), t.Shape...)
	}
	for name, t := range m.Graph.Initializers {
		shapes[name] = append([]int(nil), t.Shape...)
	}
	if _, err := s.Run(context.Background(), in); err != nil {
		return nil, fmt.Errorf("shape inference: %w", err)
	}
	return shapes, nil
}
