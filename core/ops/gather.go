package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// gatherKernel implements Gather: out takes the slices of data at the
// given indices along axis (default 0). indices are int32 or int64 of any
// shape, negative values count from the end; the output shape is
// data.shape[:axis] + indices.shape + data.shape[axis+1:].
func gatherKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "axis"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	ind := shapeInput(in, 1)
	if ind == nil {
		return nil, n.Errorf("input 1 (indices) is missing")
	}
	if err := ind.Validate(); err != nil {
		return nil, n.Errorf("indices: %w", err)
	}
	if ind.DType != tensor.Int64 && ind.DType != tensor.Int32 {
		return nil, n.Errorf("indices are %v, want int64 or int32", ind.DType)
	}
	a, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	rank := x.Rank()
	if rank == 0 {
		return nil, n.Errorf("cannot gather from a scalar")
	}
	axis, err := shapeAxis(n, "axis", a, rank, false)
	if err != nil {
		return nil, err
	}
	idx, err := ind.AsInt64s()
	if err != nil {
		return nil, n.Errorf("indices: %w", err)
	}
	dim := int64(x.Shape[axis])
	strides := shapeStrides(x.Shape)
	axisTab := make([]int, len(idx))
	for i, v := range idx {
		if v < -dim || v >= dim {
			return nil, n.Errorf("index %d is out of range for axis %d of length %d", v, axis, dim)
		}
		if v < 0 {
			v += dim
		}
		axisTab[i] = int(v) * strides[axis]
	}
	outShape := make([]int, 0, rank-1+ind.Rank())
	outShape = append(outShape, x.Shape[:axis]...)
	outShape = append(outShape, ind.Shape...)
	outShape = append(outShape, x.Shape[axis+1:]...)
	out, err := shapeAlloc(c, n, x.DType, outShape)
	if err != nil {
		return nil, err
	}
	tabs := make([][]int, rank)
	for d := range tabs {
		if d == axis {
			tabs[d] = axisTab
			continue
		}
		t := make([]int, x.Shape[d])
		for o := range t {
			t[o] = o * strides[d]
		}
		tabs[d] = t
	}
	shapeGatherTensor(out, x, tabs, nil)
	return []*tensor.Tensor{out}, nil
}
