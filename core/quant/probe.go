package quant

import (
	"context"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
)

// probeMeta runs the float model once on a batch and records every value's
// dtype and shape: the planner's view of which values are float data and
// how big the average-pool windows are.
func probeMeta(ctx context.Context, m *graph.Model, batch map[string]*tensor.Tensor) (map[string]TensorMeta, error) {
	meta := map[string]TensorMeta{}
	rec := func(name string, t *tensor.Tensor) {
		if t != nil {
			meta[name] = TensorMeta{DType: t.DType, Shape: append([]int(nil), t.Shape...)}
		}
	}
	sess, err := engine.NewSession(m, engine.Options{AfterNode: func(n *graph.Node, outs []*tensor.Tensor) error {
		for i, o := range n.Outputs {
			if o != "" && i < len(outs) {
				rec(o, outs[i])
			}
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	for k, t := range batch {
		rec(k, t)
	}
	for k, t := range m.Graph.Initializers {
		rec(k, t)
	}
	if _, err := sess.Run(ctx, batch); err != nil {
		return nil, err
	}
	return meta, nil
}
