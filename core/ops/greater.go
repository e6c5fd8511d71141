package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// greaterKernel is ONNX Greater: C = A > B elementwise with numpy broadcasting, a
// bool tensor; float32 and the integer types.
func greaterKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &greaterFns)
}

var greaterFns = mathCompareFns{
	f32: bcRowOf(greaterOf[float32]), i64: bcRowOf(greaterOf[int64]), i32: bcRowOf(greaterOf[int32]),
	i8: bcRowOf(greaterOf[int8]), u8: bcRowOf(greaterOf[uint8]),
}

func greaterOf[T mathNum](a, b T) bool { return a > b }
