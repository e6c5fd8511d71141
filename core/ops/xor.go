package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// xorKernel is ONNX Xor: C = A != B elementwise on bool tensors with numpy
// broadcasting.
func xorKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &mathCompareFns{b: xorRow})
}

var xorRow = bcRowOf(func(a, b bool) bool { return a != b })
