package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// globalMaxPoolKernel is GlobalMaxPool (opset 1): the maximum of each
// (n, c) plane, output [N, C, 1, ...].
func globalMaxPoolKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return nnGlobalPool(c, n, in, true)
}
