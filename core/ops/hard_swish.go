package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// hardSwishKernel is ONNX HardSwish: y = x * HardSigmoid(x) with alpha 1/6
// and beta 0.5, i.e. x * max(0, min(1, x/6 + 0.5)), float32.
func hardSwishKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathUnaryFloat(c, n, in, func(d, x []float32) { ewHardSwish(d, x, 1.0/6, 0.5) })
}
