package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// sizeKernel implements Size: it returns its input's element count as an int64 scalar.
func sizeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.FromInt64([]int64{int64(x.Len())})}, nil
}
