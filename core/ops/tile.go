package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// tileKernel implements Tile: it repeats its input repeats[d] times along
// each axis d (out[o] = x[o mod shape]).
func tileKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	reps, ok, err := shapeInts(n, in, 1, "repeats")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, n.Errorf("input 1 (repeats) is missing")
	}
	rank := x.Rank()
	if len(reps) != rank {
		return nil, n.Errorf("repeats has %d values, input %v has rank %d", len(reps), x.Shape, rank)
	}
	outShape := make([]int, rank)
	for d, r := range reps {
		if r < 0 || r > tensor.MaxElements {
			return nil, n.Errorf("repeats[%d] is %d", d, r)
		}
		if x.Shape[d] != 0 && int(r) > tensor.MaxElements/x.Shape[d] {
			return nil, n.Errorf("repeats %v on shape %v is too large", reps, x.Shape)
		}
		outShape[d] = x.Shape[d] * int(r)
	}
	out, err := shapeAlloc(c, n, x.DType, outShape)
	if err != nil {
		return nil, err
	}
	strides := shapeStrides(x.Shape)
	tabs := make([][]int, rank)
	for d := range tabs {
		t := make([]int, outShape[d])
		for o := range t {
			t[o] = (o % x.Shape[d]) * strides[d]
		}
		tabs[d] = t
	}
	shapeGatherTensor(out, x, tabs, nil)
	return []*tensor.Tensor{out}, nil
}
