package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// floorKernel is ONNX Floor: y = floor(x), float32 (computed in float64 and rounded).
func floorKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(math.Floor(float64(v)))
		}
	}, "consumed_inputs")
}
