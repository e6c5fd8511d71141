package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// orKernel is ONNX Or: C = A || B elementwise on bool tensors with numpy
// broadcasting.
func orKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &mathCompareFns{b: orRow})
}

var orRow = bcRowOf(func(a, b bool) bool { return a || b })
