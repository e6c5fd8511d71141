package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// sumKernel is ONNX Sum: the elementwise sum of 1 or more float32 inputs
// with numpy broadcasting, added left to right.
func sumKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	out, err := mathVariadic(c, n, in, &mathBinaryFns{f32: addRowF32})
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}
