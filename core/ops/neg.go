package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// negKernel is ONNX Neg: y = -x, for float32 and the signed integer types
// (the most negative integer stays itself, as in two's complement C).
func negKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	return mathUnary(c, n, in, &negFns)
}

var negFns = mathUnaryFns{f32: negLoop[float32], i64: negLoop[int64], i32: negLoop[int32], i8: negLoop[int8]}

func negLoop[T float32 | int64 | int32 | int8](d, x []T) {
	x = x[:len(d)]
	for i, v := range x {
		d[i] = -v
	}
}
