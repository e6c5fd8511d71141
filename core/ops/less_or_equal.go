package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// lessOrEqualKernel is ONNX LessOrEqual: C = A <= B elementwise with numpy broadcasting, a
// bool tensor; float32 and the integer types.
func lessOrEqualKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &lessOrEqualFns)
}

var lessOrEqualFns = mathCompareFns{
	f32: bcRowOf(lessOrEqualOf[float32]), i64: bcRowOf(lessOrEqualOf[int64]), i32: bcRowOf(lessOrEqualOf[int32]),
	i8: bcRowOf(lessOrEqualOf[int8]), u8: bcRowOf(lessOrEqualOf[uint8]),
}

func lessOrEqualOf[T mathNum](a, b T) bool { return a <= b }
