package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// padKernel implements Pad: pads = [x1_begin, x2_begin, ..., x1_end,
// x2_end, ...] elements are added before and after each axis (negative
// values crop). Mode constant fills with the constant value (default 0),
// edge repeats the border element, reflect mirrors without repeating the
// border (numpy's "reflect"), wrap (opset 19) repeats the axis cyclically.
// Before opset 11 pads and value are attributes (paddings in opset 1);
// from 11 they are inputs, with an optional axes input from opset 18.
func padKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	opset := shapeOpset(c)
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	mode, err := n.AttrString("mode", "constant")
	if err != nil {
		return nil, err
	}
	switch mode {
	case "constant", "reflect", "edge":
	case "wrap":
		if opset < 19 {
			return nil, n.Errorf("mode wrap needs opset 19, model has %d", opset)
		}
	default:
		return nil, n.Errorf("unknown mode %q", mode)
	}
	rank := x.Rank()
	var pads []int64
	var fill *tensor.Tensor
	axes := make([]int, rank)
	for d := range axes {
		axes[d] = d
	}
	if opset < 11 {
		padsName := "pads"
		if opset < 2 {
			padsName = "paddings"
		}
		if err := shapeCheckAttrs(n, "mode", padsName, "value"); err != nil {
			return nil, err
		}
		if !n.Has(padsName) {
			return nil, n.Errorf("attribute %s is required before opset 11", padsName)
		}
		if pads, err = n.AttrInts(padsName, nil); err != nil {
			return nil, err
		}
		v, err := n.AttrFloat("value", 0)
		if err != nil {
			return nil, err
		}
		fill = shapeTensorFromFloat(x.DType, v)
	} else {
		if err := shapeCheckAttrs(n, "mode"); err != nil {
			return nil, err
		}
		var ok bool
		if pads, ok, err = shapeInts(n, in, 1, "pads"); err != nil {
			return nil, err
		} else if !ok {
			return nil, n.Errorf("input 1 (pads) is missing")
		}
		if fill = shapeInput(in, 2); fill != nil {
			if err := fill.Validate(); err != nil {
				return nil, n.Errorf("constant_value: %w", err)
			}
			if fill.DType != x.DType {
				return nil, n.Errorf("constant_value is %v, input is %v", fill.DType, x.DType)
			}
			if fill.Len() != 1 {
				return nil, n.Errorf("constant_value has shape %v, want a scalar", fill.Shape)
			}
		}
		if a, ok, err := shapeInts(n, in, 3, "axes"); err != nil {
			return nil, err
		} else if ok {
			if opset < 18 {
				return nil, n.Errorf("input axes needs opset 18, model has %d", opset)
			}
			seen := make([]bool, rank)
			axes = axes[:0]
			for _, v := range a {
				d, err := shapeAxis(n, "axis", v, rank, false)
				if err != nil {
					return nil, err
				}
				if seen[d] {
					return nil, n.Errorf("axis %d is listed twice in axes %v", d, a)
				}
				seen[d] = true
				axes = append(axes, d)
			}
		}
	}
	if len(pads) != 2*len(axes) {
		return nil, n.Errorf("pads has %d values, want %d (2 per padded axis of input %v)", len(pads), 2*len(axes), x.Shape)
	}
	before := make([]int, rank)
	outShape := append([]int(nil), x.Shape...)
	for i, d := range axes {
		b, e := pads[i], pads[i+len(axes)]
		size := int64(x.Shape[d]) + b + e
		if b < -tensor.MaxElements || b > tensor.MaxElements || e < -tensor.MaxElements || e > tensor.MaxElements || size < 0 || size > tensor.MaxElements {
			return nil, n.Errorf("pads %v on input %v give axis %d a size of %d", pads, x.Shape, d, size)
		}
		if size > 0 && x.Shape[d] == 0 && mode != "constant" {
			return nil, n.Errorf("mode %s cannot pad axis %d of length 0", mode, d)
		}
		before[d] = int(b)
		outShape[d] = int(size)
	}
	out, err := shapeAlloc(c, n, x.DType, outShape)
	if err != nil {
		return nil, err
	}
	strides := shapeStrides(x.Shape)
	tabs := make([][]int, rank)
	for d := range tabs {
		t := make([]int, outShape[d])
		dim := x.Shape[d]
		for o := range t {
			i := o - before[d]
			if i < 0 || i >= dim {
				switch mode {
				case "constant":
					t[o] = -1
					continue
				case "edge":
					i = min(max(i, 0), dim-1)
				case "reflect":
					i = padReflect(i, dim)
				case "wrap":
					i = ((i % dim) + dim) % dim
				}
			}
			t[o] = i * strides[d]
		}
		tabs[d] = t
	}
	shapeGatherTensor(out, x, tabs, fill)
	return []*tensor.Tensor{out}, nil
}

// padReflect mirrors index i into [0, dim) without repeating the border,
// as numpy.pad's "reflect" does (repeatedly when the pad exceeds dim-1).
func padReflect(i, dim int) int {
	if dim == 1 {
		return 0
	}
	p := 2 * (dim - 1)
	i = ((i % p) + p) % p
	if i >= dim {
		i = p - i
	}
	return i
}
