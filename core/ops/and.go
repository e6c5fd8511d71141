package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// andKernel is ONNX And: C = A && B elementwise on bool tensors with numpy
// broadcasting.
func andKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &mathCompareFns{b: andRow})
}

var andRow = bcRowOf(func(a, b bool) bool { return a && b })
