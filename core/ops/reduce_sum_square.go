package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// reduceSumSquareKernel is ONNX ReduceSumSquare: the sum of squares over the given axes
// (all axes when none are given), keeping them as size-1 dims unless
// keepdims=0. Axes are an attribute before opset 18 and an optional
// input since; with noop_with_empty_axes=1 empty axes reduce nothing
// (see reduceRun).
func reduceSumSquareKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceRun(c, n, in, reduceSumSquare, 18)
}
