package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// minKernel is ONNX Min: the elementwise minimum of 1 or more inputs with
// numpy broadcasting, for float32 and the integer types. A NaN operand
// gives NaN (numpy.minimum, onnxruntime).
func minKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	out, err := mathVariadic(c, n, in, &minFns)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

var minFns = mathBinaryFns{minRow[float32], minRow[int64], minRow[int32], minRow[int8], minRow[uint8]}

// minOf is a if a < b or a is NaN, else b.
func minOf[T mathNum](a, b T) T {
	if a < b || a != a {
		return a
	}
	return b
}

// minRow is, for each i, d[i] = minOf(a[i*as], b[i*bs]).
func minRow[T mathNum](d, a, b []T, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = minOf(a[i], b[i])
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		for i := range d {
			d[i] = minOf(a[i], s)
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = minOf(s, b[i])
		}
	}
}
