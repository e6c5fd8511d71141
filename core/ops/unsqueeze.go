package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// unsqueezeKernel implements Unsqueeze: it returns a view of its input with size-1 axes inserted at the
// listed positions of the output (the axes attribute before opset 13, the
// axes input after; negative axes count from the output's end).
func unsqueezeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "axes"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	axes, ok, err := shapeAxesAttrOrInput(c, n, in, 1, 13)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, n.Errorf("axes are required")
	}
	rank := x.Rank() + len(axes)
	if rank > 64 {
		return nil, n.Errorf("output rank %d is too large", rank)
	}
	insert := make([]bool, rank)
	for _, a := range axes {
		d, err := shapeAxis(n, "axis", a, rank, false)
		if err != nil {
			return nil, err
		}
		if insert[d] {
			return nil, n.Errorf("axis %d is listed twice in %v", d, axes)
		}
		insert[d] = true
	}
	shape := make([]int, rank)
	j := 0
	for d := range shape {
		if insert[d] {
			shape[d] = 1
		} else {
			shape[d] = x.Shape[j]
			j++
		}
	}
	out, err := x.Reshaped(shape...)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return []*tensor.Tensor{out}, nil
}
