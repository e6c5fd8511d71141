package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// tanhKernel is ONNX Tanh: y = tanh(x), float32 (computed in float64 and rounded).
func tanhKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(math.Tanh(float64(v)))
		}
	}, "consumed_inputs")
}
