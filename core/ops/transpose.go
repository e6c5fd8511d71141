package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// transposeKernel implements Transpose: it permutes the axes of its input: output axis d is input axis
// perm[d] (default: reversed axes).
//
// Reference loop: out[o0..o_{r-1}] = x[i] with i[perm[d]] = o[d].
func transposeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "perm"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	rank := x.Rank()
	perm := make([]int, rank)
	if n.Has("perm") {
		p, err := n.AttrInts("perm", nil)
		if err != nil {
			return nil, err
		}
		if len(p) != rank {
			return nil, n.Errorf("perm %v has %d values, input %v has rank %d", p, len(p), x.Shape, rank)
		}
		seen := make([]bool, rank)
		for d, v := range p {
			a, err := shapeAxis(n, "perm value", v, rank, false)
			if err != nil {
				return nil, err
			}
			if seen[a] {
				return nil, n.Errorf("perm %v is not a permutation", p)
			}
			seen[a] = true
			perm[d] = a
		}
	} else {
		for d := range perm {
			perm[d] = rank - 1 - d
		}
	}
	out, err := shapeTranspose(c, n, x, x.Shape, perm)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// shapeTranspose returns x's data viewed with shape (same element count)
// and permuted by perm, in new storage (a view when perm is the identity).
func shapeTranspose(c *Ctx, n *graph.Node, x *tensor.Tensor, shape, perm []int) (*tensor.Tensor, error) {
	identity := true
	for d, p := range perm {
		identity = identity && p == d
	}
	outShape := make([]int, len(perm))
	for d, p := range perm {
		outShape[d] = shape[p]
	}
	if identity {
		out, err := x.Reshaped(outShape...)
		if err != nil {
			return nil, n.Errorf("%w", err)
		}
		return out, nil
	}
	out, err := shapeAlloc(c, n, x.DType, outShape)
	if err != nil {
		return nil, err
	}
	strides := shapeStrides(shape)
	tabs := make([][]int, len(perm))
	for d, p := range perm {
		t := make([]int, shape[p])
		for o := range t {
			t[o] = o * strides[p]
		}
		tabs[d] = t
	}
	shapeGatherTensor(out, x, tabs, nil)
	return out, nil
}
