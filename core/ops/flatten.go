package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// flattenKernel implements Flatten: it returns a 2-D view of its input: dims before axis (default 1,
// range [-rank, rank]) become the rows, the rest the columns.
func flattenKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "axis"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	a, err := n.AttrInt("axis", 1)
	if err != nil {
		return nil, err
	}
	axis, err := shapeAxis(n, "axis", a, x.Rank(), true)
	if err != nil {
		return nil, err
	}
	out, err := x.Reshaped(shapeProd(x.Shape[:axis]), shapeProd(x.Shape[axis:]))
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return []*tensor.Tensor{out}, nil
}
