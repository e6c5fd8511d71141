package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// leakyReluKernel is ONNX LeakyRelu: y = x for x >= 0, alpha*x otherwise
// (alpha defaults to 0.01), float32.
func leakyReluKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	alpha, err := n.AttrFloat("alpha", 0.01)
	if err != nil {
		return nil, err
	}
	return mathUnaryFloat(c, n, in, func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			if v < 0 {
				v *= alpha
			}
			d[i] = v
		}
	}, "alpha", "consumed_inputs")
}
