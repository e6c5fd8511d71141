package ops

import (
	"fmt"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// matMulKernel is MatMul (opsets 1, 9, 13), numpy's matmul: the last two
// dims multiply as matrices, the leading (batch) dims broadcast; a 1-D A
// is a row vector and a 1-D B a column vector, their added dim removed
// from the result.
func matMulKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) != 2 {
		return nil, n.Errorf("has %d inputs, want 2", len(in))
	}
	if err := nnCheckAttrs(n); err != nil {
		return nil, err
	}
	a, err := nnFloatInput(n, in, 0, "A", 1)
	if err != nil {
		return nil, err
	}
	b, err := nnFloatInput(n, in, 1, "B", 1)
	if err != nil {
		return nil, err
	}
	as, bs := a.Shape, b.Shape
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, k := as[len(as)-2], as[len(as)-1]
	kb, nn := bs[len(bs)-2], bs[len(bs)-1]
	if k != kb {
		return nil, n.Errorf("A %v and B %v: inner dims %d and %d differ", a.Shape, b.Shape, k, kb)
	}
	aBatch, bBatch := as[:len(as)-2], bs[:len(bs)-2]
	batch, err := nnBroadcastShapes(aBatch, bBatch)
	if err != nil {
		return nil, n.Errorf("A %v and B %v: batch dims: %w", a.Shape, b.Shape, err)
	}
	shape := append([]int(nil), batch...)
	if a.Rank() > 1 {
		shape = append(shape, m)
	}
	if b.Rank() > 1 {
		shape = append(shape, nn)
	}
	y, err := c.NewFloat32(shape...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	if len(y.F32) == 0 {
		return []*tensor.Tensor{y}, nil
	}
	if nnProd(bBatch) == 1 && nnProd(aBatch) == nnProd(batch) {
		// B is one matrix and A's batch is the output's: one tall GEMM.
		sgemm(c.nnGemm(), false, false, nnProd(batch)*m, nn, k, 1, a.F32, k, b.F32, nn, y.F32, nn, false)
		return []*tensor.Tensor{y}, nil
	}
	aStr := nnBatchStrides(aBatch, len(batch), m*k)
	bStr := nnBatchStrides(bBatch, len(batch), k*nn)
	idx := make([]int, len(batch))
	nb := nnProd(batch)
	for i := 0; i < nb; i++ {
		ao, bo := 0, 0
		for d, v := range idx {
			ao += v * aStr[d]
			bo += v * bStr[d]
		}
		sgemm(c.nnGemm(), false, false, m, nn, k, 1, a.F32[ao:ao+m*k], k, b.F32[bo:bo+k*nn], nn,
			y.F32[i*m*nn:(i+1)*m*nn], nn, false)
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < batch[d] {
				break
			}
			idx[d] = 0
		}
	}
	return []*tensor.Tensor{y}, nil
}

// nnBroadcastShapes is numpy's multidirectional broadcast of two shapes.
func nnBroadcastShapes(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// nnBatchStrides gives, for each of the rank output batch dims, the
// element stride of an operand with batch dims dims (right-aligned) and
// matrices of size mat; broadcast dims get stride 0.
func nnBatchStrides(dims []int, rank, mat int) []int {
	st := make([]int, rank)
	s := mat
	for i := len(dims) - 1; i >= 0; i-- {
		j := i + rank - len(dims)
		if dims[i] != 1 {
			st[j] = s
		}
		s *= dims[i]
	}
	return st
}

func nnProd(d []int) int {
	p := 1
	for _, v := range d {
		p *= v
	}
	return p
}
