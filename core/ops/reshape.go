package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// reshapeKernel implements Reshape: it returns a view of its input with the target shape (the shape
// input from opset 5, the shape attribute before). A 0 copies the input's
// dim at that position unless allowzero=1 (opset 14), where it means an
// empty dim; one -1 is inferred from the element count.
func reshapeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "shape", "allowzero"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	var target []int64
	if shapeOpset(c) < 5 {
		if !n.Has("shape") {
			return nil, n.Errorf("attribute shape is required before opset 5")
		}
		if target, err = n.AttrInts("shape", nil); err != nil {
			return nil, err
		}
	} else {
		if n.Has("shape") {
			return nil, n.Errorf("shape is an input since opset 5, not an attribute")
		}
		var ok bool
		target, ok, err = shapeInts(n, in, 1, "shape")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, n.Errorf("input 1 (shape) is missing")
		}
	}
	allowZero, err := n.AttrInt("allowzero", 0)
	if err != nil {
		return nil, err
	}
	shape, err := reshapeTarget(n, x.Shape, target, allowZero != 0)
	if err != nil {
		return nil, err
	}
	out, err := x.Reshaped(shape...)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return []*tensor.Tensor{out}, nil
}

// reshapeTarget resolves 0 and -1 in target against the input shape.
func reshapeTarget(n *graph.Node, inShape []int, target []int64, allowZero bool) ([]int, error) {
	count := shapeProd(inShape)
	shape := make([]int, len(target))
	infer := -1
	hasZero := false
	known := 1
	for i, d := range target {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, n.Errorf("shape %v has more than one -1", target)
			}
			infer = i
			continue
		case d == 0 && !allowZero:
			if i >= len(inShape) {
				return nil, n.Errorf("shape %v: 0 at position %d copies an input dim, but the input %v has rank %d", target, i, inShape, len(inShape))
			}
			shape[i] = inShape[i]
		case d < 0:
			return nil, n.Errorf("shape %v has invalid dim %d", target, d)
		case d > tensor.MaxElements:
			return nil, n.Errorf("shape %v: dim %d is too large", target, d)
		default:
			shape[i] = int(d)
			if d == 0 {
				hasZero = true
			}
		}
		if shape[i] != 0 && known > tensor.MaxElements/shape[i] {
			return nil, n.Errorf("shape %v has more than %d elements", target, tensor.MaxElements)
		}
		known *= shape[i]
	}
	if infer >= 0 {
		if hasZero {
			return nil, n.Errorf("shape %v has both -1 and 0 with allowzero=1", target)
		}
		if known == 0 || count%known != 0 {
			return nil, n.Errorf("cannot reshape %v (%d elements) to %v: -1 cannot be inferred", inShape, count, target)
		}
		shape[infer] = count / known
		known = count
	}
	if known != count {
		return nil, n.Errorf("cannot reshape %v (%d elements) to %v (%d elements)", inShape, count, shape, known)
	}
	return shape, nil
}
