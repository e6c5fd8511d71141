package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// reciprocalKernel is ONNX Reciprocal: y = 1/x, float32 (±Inf for ±0).
func reciprocalKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = 1 / v
		}
	}, "consumed_inputs")
}
