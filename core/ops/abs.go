package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// absKernel is ONNX Abs: y = |x|, for float32 and the integer types (the
// most negative signed integer stays itself, as in two's complement C).
func absKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	return mathUnary(c, n, in, &absFns)
}

var absFns = mathUnaryFns{
	f32: func(d, x []float32) {
		x = x[:len(d)]
		for i, v := range x {
			d[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
		}
	},
	i64: absLoop[int64], i32: absLoop[int32], i8: absLoop[int8],
	u8: func(d, x []uint8) { copy(d, x) },
}

func absLoop[T int64 | int32 | int8](d, x []T) {
	x = x[:len(d)]
	for i, v := range x {
		if v < 0 {
			v = -v
		}
		d[i] = v
	}
}
