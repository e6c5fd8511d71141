package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// lessKernel is ONNX Less: C = A < B elementwise with numpy broadcasting, a
// bool tensor; float32 and the integer types.
func lessKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	return mathCompare(c, n, in, &lessFns)
}

var lessFns = mathCompareFns{
	f32: bcRowOf(lessOf[float32]), i64: bcRowOf(lessOf[int64]), i32: bcRowOf(lessOf[int32]),
	i8: bcRowOf(lessOf[int8]), u8: bcRowOf(lessOf[uint8]),
}

func lessOf[T mathNum](a, b T) bool { return a < b }
