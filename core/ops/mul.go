package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// mulKernel is ONNX Mul: C = A * B with numpy broadcasting, for float32
// and the integer types (integers wrap around).
func mulKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathArith(c, n, in, &mulFns)
}

var mulFns = mathBinaryFns{mulRowF32, mulRow[int64], mulRow[int32], mulRow[int8], mulRow[uint8]}

// mulRow is, for each i, d[i] = a[i*as] * b[i*bs].
func mulRow[T mathNum](d, a, b []T, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] * s
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = s * b[i]
		}
	}
}
