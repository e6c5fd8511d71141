package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// divKernel is ONNX Div: C = A / B with numpy broadcasting. Float32
// division follows IEEE (x/0 is ±Inf or NaN); integer division truncates
// toward zero like onnxruntime's C++ `/`, and a zero divisor is an error
// (ONNX leaves it undefined).
func divKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) == 2 && in[1] != nil && in[1].DType != tensor.Float32 {
		var zero bool
		switch b := in[1]; b.DType {
		case tensor.Int64:
			zero = divHasZero(b.I64)
		case tensor.Int32:
			zero = divHasZero(b.I32)
		case tensor.Int8:
			zero = divHasZero(b.I8)
		case tensor.Uint8:
			zero = divHasZero(b.U8)
		}
		if zero {
			return nil, n.Errorf("integer division by zero: divisor B has a 0")
		}
	}
	return mathArith(c, n, in, &divFns)
}

var divFns = mathBinaryFns{divRowF32, divRow[int64], divRow[int32], divRow[int8], divRow[uint8]}

func divHasZero[T mathInt](b []T) bool {
	for _, v := range b {
		if v == 0 {
			return true
		}
	}
	return false
}

// divRow is, for each i, d[i] = a[i*as] / b[i*bs].
func divRow[T mathNum](d, a, b []T, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] / b[i]
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] / s
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = s / b[i]
		}
	}
}
