package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// meanKernel is ONNX Mean: the elementwise mean of 1 or more float32
// inputs with numpy broadcasting (sum left to right, then divide by the
// input count).
func meanKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	out, err := mathVariadic(c, n, in, &mathBinaryFns{f32: addRowF32})
	if err != nil {
		return nil, err
	}
	k := float32(len(in))
	for i := range out.F32 {
		out.F32[i] /= k
	}
	return []*tensor.Tensor{out}, nil
}
