package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// erfKernel is ONNX Erf: the error function, float32 (computed in float64 and rounded).
func erfKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(math.Erf(float64(v)))
		}
	})
}
