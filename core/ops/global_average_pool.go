package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// globalAveragePoolKernel is GlobalAveragePool (opset 1): the mean of
// each (n, c) plane, output [N, C, 1, ...].
func globalAveragePoolKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return nnGlobalPool(c, n, in, false)
}

// nnGlobalPool reduces each (n, c) plane of the single input to its mean
// (or its maximum).
func nnGlobalPool(c *Ctx, n *graph.Node, in []*tensor.Tensor, max bool) ([]*tensor.Tensor, error) {
	if len(in) != 1 {
		return nil, n.Errorf("has %d inputs, want 1", len(in))
	}
	if err := nnCheckAttrs(n); err != nil {
		return nil, err
	}
	x, err := nnFloatInput(n, in, 0, "X", 3)
	if err != nil {
		return nil, err
	}
	shape := make([]int, x.Rank())
	shape[0], shape[1] = x.Shape[0], x.Shape[1]
	for i := 2; i < len(shape); i++ {
		shape[i] = 1
	}
	y, err := c.NewFloat32(shape...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	vol := nnProd(x.Shape[2:])
	for p := range y.F32 {
		plane := x.F32[p*vol : (p+1)*vol]
		if max {
			m := float32(-math.MaxFloat32)
			for _, v := range plane {
				if v > m {
					m = v
				}
			}
			y.F32[p] = m
			continue
		}
		y.F32[p] = float32(nnSum64(plane) / float64(vol))
	}
	return []*tensor.Tensor{y}, nil
}
