package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// ceilKernel is ONNX Ceil: y = ceil(x), float32 (computed in float64 and rounded).
func ceilKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(math.Ceil(float64(v)))
		}
	}, "consumed_inputs")
}
