package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// expKernel is ONNX Exp: y = e^x, float32 (computed in float64 and rounded).
func expKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(portableExp(float64(v)))
		}
	}, "consumed_inputs")
}
