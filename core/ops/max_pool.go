package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// maxPoolKernel is MaxPool (opsets 1-12) on float32: the maximum over each
// window of the input, padding ignored. The optional Indices output is not
// supported and is refused when the node asks for it.
func maxPoolKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := nnCheckAttrs(n, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"); err != nil {
		return nil, err
	}
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		return nil, n.Errorf("the Indices output is not supported")
	}
	if so, err := n.AttrInt("storage_order", 0); err != nil {
		return nil, err
	} else if so != 0 && so != 1 {
		return nil, n.Errorf("storage_order = %d, want 0 or 1", so)
	}
	x, w, err := nnPoolWindow(n, in)
	if err != nil {
		return nil, err
	}
	y, err := c.NewFloat32(w.outShape(x.Shape[0], x.Shape[1])...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	nnPoolPlanes(y.F32, x.F32, x.Shape[0]*x.Shape[1], &w, true)
	return []*tensor.Tensor{y}, nil
}
