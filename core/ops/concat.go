package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// concatKernel implements Concat: it joins its inputs along axis. All inputs share dtype and rank and
// agree on every other dim; zero-length inputs are allowed.
//
// Reference loop: for each outer index o (dims before axis), for each
// input i, copy its o-th block of shape[axis]*inner elements.
func concatKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "axis"); err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, n.Errorf("needs at least one input")
	}
	def := int64(1) // opset 1 default; axis is required from opset 4
	if shapeOpset(c) >= 4 && !n.Has("axis") {
		return nil, n.Errorf("attribute axis is required")
	}
	axisAttr, err := n.AttrInt("axis", def)
	if err != nil {
		return nil, err
	}
	for i, t := range in {
		if t == nil {
			return nil, n.Errorf("input %d is missing", i)
		}
		if err := t.Validate(); err != nil {
			return nil, n.Errorf("input %d: %w", i, err)
		}
	}
	first := in[0]
	rank := first.Rank()
	if rank == 0 {
		return nil, n.Errorf("cannot concatenate scalars")
	}
	axis, err := shapeAxis(n, "axis", axisAttr, rank, false)
	if err != nil {
		return nil, err
	}
	outShape := append([]int(nil), first.Shape...)
	outShape[axis] = 0
	for i, t := range in {
		if t.DType != first.DType {
			return nil, n.Errorf("input %d is %v, input 0 is %v", i, t.DType, first.DType)
		}
		if t.Rank() != rank {
			return nil, n.Errorf("input %d has shape %v, input 0 has %v: ranks differ", i, t.Shape, first.Shape)
		}
		for d := range rank {
			if d != axis && t.Shape[d] != first.Shape[d] {
				return nil, n.Errorf("input %d has shape %v, input 0 has %v: dim %d differs", i, t.Shape, first.Shape, d)
			}
		}
		if outShape[axis] > tensor.MaxElements-t.Shape[axis] {
			return nil, n.Errorf("output dim %d is too large", axis)
		}
		outShape[axis] += t.Shape[axis]
	}
	out, err := shapeAlloc(c, n, first.DType, outShape)
	if err != nil {
		return nil, err
	}
	outer := shapeProd(outShape[:axis])
	inner := shapeProd(outShape[axis+1:])
	k := 0
	for o := range outer {
		for _, t := range in {
			blk := t.Shape[axis] * inner
			if blk == 0 {
				continue
			}
			shapeCopyRange(out, k, t, o*blk, blk)
			k += blk
		}
	}
	return []*tensor.Tensor{out}, nil
}
