package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// notKernel is ONNX Not: the elementwise negation of a bool tensor.
func notKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 1, 1)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if x.DType != tensor.Bool {
		return nil, n.Errorf("input type %v is not supported (Not takes bool)", x.DType)
	}
	if err := mathCheckLen(n, "input", x); err != nil {
		return nil, err
	}
	out, err := mathNew(c, n, tensor.Bool, x.Shape)
	if err != nil {
		return nil, err
	}
	for i, v := range x.B {
		out.B[i] = !v
	}
	return []*tensor.Tensor{out}, nil
}
