package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// maxKernel is ONNX Max: the elementwise maximum of 1 or more inputs with
// numpy broadcasting, for float32 and the integer types. A NaN operand
// gives NaN (numpy.maximum, onnxruntime).
func maxKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	out, err := mathVariadic(c, n, in, &maxFns)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

var maxFns = mathBinaryFns{maxRow[float32], maxRow[int64], maxRow[int32], maxRow[int8], maxRow[uint8]}

// maxOf is a if a > b or a is NaN, else b.
func maxOf[T mathNum](a, b T) T {
	if a > b || a != a {
		return a
	}
	return b
}

// maxRow is, for each i, d[i] = maxOf(a[i*as], b[i*bs]).
func maxRow[T mathNum](d, a, b []T, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = maxOf(a[i], b[i])
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		for i := range d {
			d[i] = maxOf(a[i], s)
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = maxOf(s, b[i])
		}
	}
}
