package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// roundKernel is ONNX Round: y = x rounded to the nearest integer, halves to even, float32 (computed in float64 and rounded).
func roundKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(math.RoundToEven(float64(v)))
		}
	})
}
