package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// reduceL1Kernel is ONNX ReduceL1: the sum of absolute values over the given axes
// (all axes when none are given), keeping them as size-1 dims unless
// keepdims=0. Axes are an attribute before opset 18 and an optional
// input since; with noop_with_empty_axes=1 empty axes reduce nothing
// (see reduceRun).
func reduceL1Kernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceRun(c, n, in, reduceL1, 18)
}
