package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// squeezeKernel implements Squeeze: it returns a view of its input without the listed size-1 axes (the
// axes attribute before opset 13, the optional axes input after); with no
// (or empty) axes, every size-1 axis goes.
func squeezeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
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
	rank := x.Rank()
	drop := make([]bool, rank)
	if !ok || len(axes) == 0 { // an empty axes input also means "all" (as onnxruntime)
		for d, s := range x.Shape {
			drop[d] = s == 1
		}
	}
	for _, a := range axes {
		d, err := shapeAxis(n, "axis", a, rank, false)
		if err != nil {
			return nil, err
		}
		if drop[d] {
			return nil, n.Errorf("axis %d is listed twice in %v", d, axes)
		}
		if x.Shape[d] != 1 {
			return nil, n.Errorf("cannot squeeze axis %d of shape %v: its size is not 1", a, x.Shape)
		}
		drop[d] = true
	}
	shape := make([]int, 0, rank)
	for d, s := range x.Shape {
		if !drop[d] {
			shape = append(shape, s)
		}
	}
	out, err := x.Reshaped(shape...)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return []*tensor.Tensor{out}, nil
}
