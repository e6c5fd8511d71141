package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// subKernel is ONNX Sub: C = A - B with numpy broadcasting, for float32
// and the integer types (integers wrap around).
func subKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathArith(c, n, in, &subFns)
}

var subFns = mathBinaryFns{subRowF32, subRow[int64], subRow[int32], subRow[int8], subRow[uint8]}

// subRow is, for each i, d[i] = a[i*as] - b[i*bs].
func subRow[T mathNum](d, a, b []T, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] - s
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = s - b[i]
		}
	}
}
