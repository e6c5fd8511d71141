package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// equalKernel is ONNX Equal: C = A == B elementwise with numpy broadcasting, a
// bool tensor; float32, the integer types and bool.
func equalKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &equalFns)
}

var equalFns = mathCompareFns{
	f32: bcRowOf(equalOf[float32]), i64: bcRowOf(equalOf[int64]), i32: bcRowOf(equalOf[int32]),
	i8: bcRowOf(equalOf[int8]), u8: bcRowOf(equalOf[uint8]),
	b: bcRowOf(func(a, b bool) bool { return a == b }),
}

func equalOf[T mathNum](a, b T) bool { return a == b }
