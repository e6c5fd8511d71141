package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// logSoftmaxKernel is ONNX LogSoftmax: y = x - max - log(sum(exp(x -
// max))), over the same axis or 2-D coercion as Softmax (see
// softmaxKernel), float32.
func logSoftmaxKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return softmaxRun(c, n, in, true)
}
