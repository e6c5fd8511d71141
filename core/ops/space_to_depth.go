package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// spaceToDepthKernel implements SpaceToDepth, the inverse of DepthToSpace
// in DCR mode: [N, C, H, W] viewed as [N, C, H/b, b, W/b, b] and permuted
// (0, 3, 5, 1, 2, 4) gives [N, C*b*b, H/b, W/b].
func spaceToDepthKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "blocksize"); err != nil {
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
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	if H%b != 0 || W%b != 0 {
		return nil, n.Errorf("spatial size %dx%d is not divisible by blocksize %d", H, W, b)
	}
	t, err := shapeTranspose(c, n, x, []int{N, C, H / b, b, W / b, b}, []int{0, 3, 5, 1, 2, 4})
	if err != nil {
		return nil, err
	}
	t.Shape = []int{N, C * b * b, H / b, W / b}
	return []*tensor.Tensor{t}, nil
}
