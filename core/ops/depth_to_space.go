package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// depthToSpaceKernel implements DepthToSpace: it moves blocks of channels
// of an NCHW input into blocksize x blocksize spatial blocks. Mode DCR
// (default) views the channels as [b, b, C'], CRD as [C', b, b].
//
// As a transpose: DCR reshapes to [N, b, b, C', H, W] and permutes
// (0, 3, 4, 1, 5, 2); CRD reshapes to [N, C', b, b, H, W] and permutes
// (0, 1, 4, 2, 5, 3); the result is [N, C', H*b, W*b].
func depthToSpaceKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "blocksize", "mode"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	b, err := shapeBlocksize(n, x)
	if err != nil {
		return nil, err
	}
	mode, err := n.AttrString("mode", "DCR")
	if err != nil {
		return nil, err
	}
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	if C%(b*b) != 0 {
		return nil, n.Errorf("channels %d are not divisible by blocksize^2 = %d", C, b*b)
	}
	c2 := C / (b * b)
	var view, perm []int
	switch mode {
	case "DCR":
		view, perm = []int{N, b, b, c2, H, W}, []int{0, 3, 4, 1, 5, 2}
	case "CRD":
		view, perm = []int{N, c2, b, b, H, W}, []int{0, 1, 4, 2, 5, 3}
	default:
		return nil, n.Errorf("unknown mode %q (want DCR or CRD)", mode)
	}
	t, err := shapeTranspose(c, n, x, view, perm)
	if err != nil {
		return nil, err
	}
	t.Shape = []int{N, c2, H * b, W * b}
	return []*tensor.Tensor{t}, nil
}

// shapeBlocksize checks a 4-D input and reads a positive blocksize.
func shapeBlocksize(n *graph.Node, x *tensor.Tensor) (int, error) {
	if x.Rank() != 4 {
		return 0, n.Errorf("input has shape %v, want 4-D NCHW", x.Shape)
	}
	if !n.Has("blocksize") {
		return 0, n.Errorf("attribute blocksize is required")
	}
	b, err := n.AttrInt("blocksize", 0)
	if err != nil {
		return 0, err
	}
	if b < 1 || b > 1<<15 {
		return 0, n.Errorf("blocksize %d is out of range", b)
	}
	return int(b), nil
}
