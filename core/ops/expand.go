package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// expandKernel implements Expand: it broadcasts its input to the shape
// input under numpy rules in both directions (a 1 in shape keeps the
// input's dim), so the output rank is the larger of the two.
func expandKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	target, ok, err := shapeInts(n, in, 1, "shape")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, n.Errorf("input 1 (shape) is missing")
	}
	rank := max(len(target), x.Rank())
	outShape := make([]int, rank)
	srcDim := make([]int, rank) // input dim aligned right, 1 where absent
	for d := range rank {
		sd := 1
		if i := d - (rank - x.Rank()); i >= 0 {
			sd = x.Shape[i]
		}
		td := int64(1)
		if i := d - (rank - len(target)); i >= 0 {
			td = target[i]
		}
		if td < 0 || td > tensor.MaxElements {
			return nil, n.Errorf("shape %v has invalid dim %d", target, td)
		}
		switch {
		case sd == int(td) || td == 1:
			outShape[d] = sd
		case sd == 1:
			outShape[d] = int(td)
		default:
			return nil, n.Errorf("cannot expand shape %v to %v: dim %d is %d vs %d", x.Shape, target, d, sd, td)
		}
		srcDim[d] = sd
	}
	out, err := shapeAlloc(c, n, x.DType, outShape)
	if err != nil {
		return nil, err
	}
	strides := shapeStrides(srcDim)
	tabs := make([][]int, rank)
	for d := range tabs {
		t := make([]int, outShape[d])
		if srcDim[d] != 1 {
			for o := range t {
				t[o] = o * strides[d]
			}
		}
		tabs[d] = t
	}
	shapeGatherTensor(out, x, tabs, nil)
	return []*tensor.Tensor{out}, nil
}
