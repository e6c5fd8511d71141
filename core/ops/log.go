package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// logKernel is ONNX Log: y = ln(x) (NaN for x < 0, -Inf for 0), float32 (computed in float64 and rounded).
func logKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = float32(portableLog(float64(v)))
		}
	}, "consumed_inputs")
}
