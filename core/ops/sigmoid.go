package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// sigmoidKernel is ONNX Sigmoid: y = 1 / (1 + exp(-x)), float32 (computed in float64 and rounded).
func sigmoidKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(1 / (1 + portableExp(-float64(v))))
		}
	}, "consumed_inputs")
}
