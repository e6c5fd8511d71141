package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// hardSigmoidKernel is ONNX HardSigmoid: y = max(0, min(1, alpha*x + beta))
// with alpha 0.2 and beta 0.5 by default, float32.
func hardSigmoidKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	alpha, err := n.AttrFloat("alpha", 0.2)
	if err != nil {
		return nil, err
	}
	beta, err := n.AttrFloat("beta", 0.5)
	if err != nil {
		return nil, err
	}
	return mathUnaryFloat(c, n, in, func(d, x []float32) { ewHardSigmoid(d, x, alpha, beta) },
		"alpha", "beta", "consumed_inputs")
}

// hardSigmoidOf clamps alpha*x+beta to [0, 1] (NaN stays NaN). The
// conversion rounds the product (no fused multiply-add).
func hardSigmoidOf(x, alpha, beta float32) float32 {
	y := float32(alpha*x) + beta
	if y < 0 {
		return 0
	}
	if y > 1 {
		return 1
	}
	return y
}
