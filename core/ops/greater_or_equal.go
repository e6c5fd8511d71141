package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// greaterOrEqualKernel is ONNX GreaterOrEqual: C = A >= B elementwise with numpy broadcasting, a
// bool tensor; float32 and the integer types.
func greaterOrEqualKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &greaterOrEqualFns)
}

var greaterOrEqualFns = mathCompareFns{
	f32: bcRowOf(greaterOrEqualOf[float32]), i64: bcRowOf(greaterOrEqualOf[int64]), i32: bcRowOf(greaterOrEqualOf[int32]),
	i8: bcRowOf(greaterOrEqualOf[int8]), u8: bcRowOf(greaterOrEqualOf[uint8]),
}

func greaterOrEqualOf[T mathNum](a, b T) bool { return a >= b }
