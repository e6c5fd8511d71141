package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// reluKernel is ONNX Relu: y = max(x, 0), for float32 and the signed
// integer types (NaN stays NaN, as in numpy and onnxruntime).
func reluKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	return mathUnary(c, n, in, &reluFns)
}

var reluFns = mathUnaryFns{f32: func(d, x []float32) { ewRelu(d, x) }, i64: reluLoop[int64], i32: reluLoop[int32], i8: reluLoop[int8]}

func reluLoop[T float32 | int64 | int32 | int8](d, x []T) {
	x = x[:len(d)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		d[i] = v
	}
}
