package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// addKernel is ONNX Add: C = A + B with numpy broadcasting, for float32
// and the integer types (integers wrap around).
func addKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return mathArith(c, n, in, &addFns)
}

var addFns = mathBinaryFns{addRowF32, addRow[int64], addRow[int32], addRow[int8], addRow[uint8]}

// addRow is, for each i, d[i] = a[i*as] + b[i*bs].
func addRow[T mathNum](d, a, b []T, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] + s
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = s + b[i]
		}
	}
}
