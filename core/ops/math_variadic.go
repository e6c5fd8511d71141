package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// mathVariadic runs Max, Min, Sum or Mean: a fold of a binary op over 1 or
// more inputs, all broadcast together (numpy rules). The first input is
// broadcast into the output, then each further input is combined into it
// in place.
func mathVariadic(c *Ctx, n *graph.Node, in []*tensor.Tensor, fns *mathBinaryFns) (*tensor.Tensor, error) {
	if len(in) == 0 {
		return nil, n.Errorf("has no inputs, want at least 1")
	}
	shapes := make([][]int, len(in))
	for i, t := range in {
		if t == nil {
			return nil, n.Errorf("input %d is missing", i)
		}
		if err := mathCheckLen(n, "input", t); err != nil {
			return nil, err
		}
		if t.DType != in[0].DType {
			return nil, n.Errorf("input %d is %v, input 0 is %v", i, t.DType, in[0].DType)
		}
		shapes[i] = t.Shape
	}
	shape, err := bcShape(shapes...)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	switch dt := in[0].DType; {
	case dt == tensor.Float32 && fns.f32 != nil:
		return mathVariadicRun(c, n, in, shape, fns.f32)
	case dt == tensor.Int64 && fns.i64 != nil:
		return mathVariadicRun(c, n, in, shape, fns.i64)
	case dt == tensor.Int32 && fns.i32 != nil:
		return mathVariadicRun(c, n, in, shape, fns.i32)
	case dt == tensor.Int8 && fns.i8 != nil:
		return mathVariadicRun(c, n, in, shape, fns.i8)
	case dt == tensor.Uint8 && fns.u8 != nil:
		return mathVariadicRun(c, n, in, shape, fns.u8)
	}
	return nil, n.Errorf("input type %v is not supported", in[0].DType)
}

func mathVariadicRun[T any](c *Ctx, n *graph.Node, in []*tensor.Tensor, shape []int, row bcRowFn[T, T, T]) (*tensor.Tensor, error) {
	out, err := mathNew(c, n, in[0].DType, shape)
	if err != nil {
		return nil, err
	}
	d := mathData[T](out)
	if err := bcExpand(shape, d, mathData[T](in[0]), in[0].Shape); err != nil {
		return nil, n.Errorf("%w", err)
	}
	for _, t := range in[1:] {
		if err := bcApply(shape, d, d, shape, mathData[T](t), t.Shape, row); err != nil {
			return nil, n.Errorf("%w", err)
		}
	}
	return out, nil
}
