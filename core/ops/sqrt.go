package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// sqrtKernel is ONNX Sqrt: y = sqrt(x) (NaN for x < 0), float32 (computed in float64 and rounded).
func sqrtKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(math.Sqrt(float64(v)))
		}
	}, "consumed_inputs")
}
