package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// splitKernel implements Split: it cuts its input along axis into len(n.Outputs) parts. The part
// lengths come from the split attribute (opset < 13) or the optional split
// input (opset >= 13); without them the parts are equal, or from opset 18
// with num_outputs, ceil(dim/num_outputs) each with a shorter last part.
func splitKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	opset := shapeOpset(c)
	if err := shapeCheckAttrs(n, "axis", "split", "num_outputs"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	axisAttr, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	axis, err := shapeAxis(n, "axis", axisAttr, x.Rank(), false)
	if err != nil {
		return nil, err
	}
	nOut := len(n.Outputs)
	if nOut == 0 {
		return nil, n.Errorf("has no outputs")
	}
	dim := x.Shape[axis]
	var split []int64
	var haveSplit bool
	if opset < 13 {
		if n.Has("split") {
			split, err = n.AttrInts("split", nil)
			if err != nil {
				return nil, err
			}
			haveSplit = true
		}
		if shapeInput(in, 1) != nil {
			return nil, n.Errorf("split is an attribute before opset 13, not an input")
		}
	} else {
		if n.Has("split") {
			return nil, n.Errorf("split is an input since opset 13, not an attribute")
		}
		split, haveSplit, err = shapeInts(n, in, 1, "split")
		if err != nil {
			return nil, err
		}
	}
	if n.Has("num_outputs") {
		if opset < 18 {
			return nil, n.Errorf("attribute num_outputs needs opset 18, model has %d", opset)
		}
		if haveSplit {
			return nil, n.Errorf("has both num_outputs and a split input")
		}
		num, err := n.AttrInt("num_outputs", 0)
		if err != nil {
			return nil, err
		}
		if num < 1 || num != int64(nOut) {
			return nil, n.Errorf("num_outputs is %d, node has %d outputs", num, nOut)
		}
	}
	lens := make([]int, nOut)
	if haveSplit {
		if len(split) != nOut {
			return nil, n.Errorf("split has %d values, node has %d outputs", len(split), nOut)
		}
		sum := 0
		for i, s := range split {
			if s < 0 || s > int64(dim) {
				return nil, n.Errorf("split[%d] is %d, axis %d has length %d", i, s, axis, dim)
			}
			lens[i] = int(s)
			sum += int(s)
		}
		if sum != dim {
			return nil, n.Errorf("split %v sums to %d, axis %d has length %d", split, sum, axis, dim)
		}
	} else if n.Has("num_outputs") {
		part := (dim + nOut - 1) / nOut
		rest := dim
		for i := range lens {
			lens[i] = min(part, rest)
			rest -= lens[i]
		}
	} else {
		if dim%nOut != 0 {
			return nil, n.Errorf("axis %d has length %d, which does not split into %d equal parts", axis, dim, nOut)
		}
		for i := range lens {
			lens[i] = dim / nOut
		}
	}
	outer := shapeProd(x.Shape[:axis])
	inner := shapeProd(x.Shape[axis+1:])
	outs := make([]*tensor.Tensor, nOut)
	start := 0
	for i, l := range lens {
		shape := append([]int(nil), x.Shape...)
		shape[axis] = l
		out, err := shapeAlloc(c, n, x.DType, shape)
		if err != nil {
			return nil, err
		}
		blk := l * inner
		if blk > 0 {
			for o := range outer {
				shapeCopyRange(out, o*blk, x, o*dim*inner+start*inner, blk)
			}
		}
		start += l
		outs[i] = out
	}
	return outs, nil
}
