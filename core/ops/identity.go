package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// identityKernel is ONNX Identity: the input itself (the engine accounts
// for the aliasing).
func identityKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 1, 1)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{in[0]}, nil
}
