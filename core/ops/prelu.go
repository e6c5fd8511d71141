package ops

import (
	"slices"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// preluKernel is ONNX PRelu: y = x for x >= 0, slope*x otherwise, with
// slope broadcast to X's shape (unidirectional numpy broadcasting; a
// per-channel slope is [C,1,1] for NCHW). Before opset 7 a 1-D slope of C
// values is per channel (axis 1), as PyTorch exported it then. Float32,
// int32 and int64.
func preluKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "consumed_inputs"); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 2, 2)
	if err != nil {
		return nil, err
	}
	x, slope := in[0], in[1]
	if err := mathCheckLen(n, "input X", x); err != nil {
		return nil, err
	}
	if err := mathCheckLen(n, "slope", slope); err != nil {
		return nil, err
	}
	if x.DType != slope.DType {
		return nil, n.Errorf("X is %v but slope is %v", x.DType, slope.DType)
	}
	if mathOpset(c) < 7 && slope.Rank() == 1 && x.Rank() > 2 && slope.Shape[0] == x.Shape[1] && slope.Shape[0] != 1 {
		shape := make([]int, x.Rank()-1)
		for i := range shape {
			shape[i] = 1
		}
		shape[0] = slope.Shape[0]
		if slope, err = slope.Reshaped(shape...); err != nil {
			return nil, n.Errorf("slope: %w", err)
		}
	}
	shape, err := bcShape(x.Shape, slope.Shape)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	if !slices.Equal(shape, x.Shape) {
		return nil, n.Errorf("slope of shape %v does not broadcast to X's shape %v", slope.Shape, x.Shape)
	}
	var out *tensor.Tensor
	switch x.DType {
	case tensor.Float32:
		out, err = mathBinaryRun(c, n, x, slope, shape, preluRow[float32])
	case tensor.Int64:
		out, err = mathBinaryRun(c, n, x, slope, shape, preluRow[int64])
	case tensor.Int32:
		out, err = mathBinaryRun(c, n, x, slope, shape, preluRow[int32])
	default:
		return nil, n.Errorf("input type %v is not supported", x.DType)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// preluRow is, for each i, d[i] = x[i*xs] < 0 ? x[i*xs]*s[i*ss] : x[i*xs].
func preluRow[T float32 | int64 | int32](d, x, s []T, xs, ss int) {
	switch {
	case xs == 1 && ss == 1:
		x, s = x[:len(d)], s[:len(d)]
		for i, v := range x {
			if v < 0 {
				v *= s[i]
			}
			d[i] = v
		}
	case ss == 0:
		k := s[0]
		x = x[:len(d)]
		for i, v := range x {
			if v < 0 {
				v *= k
			}
			d[i] = v
		}
	default: // X broadcast along the row: cannot happen, X is the output shape
		v := x[0]
		s = s[:len(d)]
		for i := range d {
			if v < 0 {
				d[i] = v * s[i]
			} else {
				d[i] = v
			}
		}
	}
}
