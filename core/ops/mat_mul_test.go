package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// nnRefMatMul is numpy.matmul as a plain loop over the broadcast batch.
func nnRefMatMul(a, b *tensor.Tensor) ([]float32, []int) {
	as, bs := a.Shape, b.Shape
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, k, nn := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	ab, bb := as[:len(as)-2], bs[:len(bs)-2]
	r := max(len(ab), len(bb))
	pad := func(d []int) []int {
		ones := make([]int, r-len(d))
		for i := range ones {
			ones[i] = 1
		}
		return append(ones, d...)
	}
	ab, bb = pad(ab), pad(bb)
	batch := make([]int, r)
	for i := range batch {
		batch[i] = ab[i]
		if ab[i] == 1 {
			batch[i] = bb[i]
		}
	}
	var shape []int
	shape = append(shape, batch...)
	if a.Rank() > 1 {
		shape = append(shape, m)
	}
	if b.Rank() > 1 {
		shape = append(shape, nn)
	}
	nb := 1
	for _, d := range batch {
		nb *= d
	}
	y := make([]float32, 0, nb*m*nn)
	for bi := 0; bi < nb; bi++ {
		// Decompose bi into batch coordinates, then each operand's index.
		rem, ai, bj, amul, bmul := bi, 0, 0, 1, 1
		for d := r - 1; d >= 0; d-- {
			c := rem % batch[d]
			rem /= batch[d]
			if ab[d] != 1 {
				ai += c * amul
			}
			if bb[d] != 1 {
				bj += c * bmul
			}
			amul *= ab[d]
			bmul *= bb[d]
		}
		for i := 0; i < m; i++ {
			for j := 0; j < nn; j++ {
				var s float64
				for p := 0; p < k; p++ {
					s += float64(a.F32[ai*m*k+i*k+p]) * float64(b.F32[bj*k*nn+p*nn+j])
				}
				y = append(y, float32(s))
			}
		}
	}
	return y, shape
}

func TestMatMulShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, tc := range []struct{ a, b []int }{
		{[]int{3, 4}, []int{4, 5}},
		{[]int{4}, []int{4, 5}},
		{[]int{3, 4}, []int{4}},
		{[]int{7}, []int{7}},
		{[]int{2, 3, 4}, []int{4, 5}},
		{[]int{2, 3, 4}, []int{1, 4, 5}},
		{[]int{3, 4}, []int{2, 4, 5}},
		{[]int{2, 1, 3, 4}, []int{5, 4, 6}},
		{[]int{1, 3, 4}, []int{2, 1, 4, 6}},
		{[]int{4}, []int{2, 3, 4, 5}},
		{[]int{2, 3, 6, 4}, []int{4}},
		{[]int{2, 3, 17, 33}, []int{2, 3, 33, 9}},
		{[]int{0, 3, 4}, []int{4, 5}},
	} {
		a, b := nnRandTensor(r, tc.a...), nnRandTensor(r, tc.b...)
		want, shape := nnRefMatMul(a, b)
		out := nnRunNaN(t, matMulKernel, 13, nnNode("MatMul"), len(want), a, b)
		nnCompare(t, fmt.Sprintf("MatMul %v x %v", tc.a, tc.b), out[0], shape, want, 1e-4, 1e-4)
	}
}

func TestMatMulONNX(t *testing.T) {
	for _, name := range []string{"test_matmul_2d", "test_matmul_3d", "test_matmul_4d"} {
		nnONNXCase(t, name, "")
	}
}

func TestMatMulErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	nnWantErr(t, matMulKernel, nnNode("MatMul"), []*tensor.Tensor{nnRandTensor(r, 3, 4), nnRandTensor(r, 5, 6)}, "inner dims 4 and 5 differ")
	nnWantErr(t, matMulKernel, nnNode("MatMul"), []*tensor.Tensor{nnRandTensor(r, 2, 3, 4), nnRandTensor(r, 3, 4, 5)}, "batch dims: shapes [2] and [3] do not broadcast")
	nnWantErr(t, matMulKernel, nnNode("MatMul"), []*tensor.Tensor{nnRandTensor(r, 3, 4)}, "has 1 inputs, want 2")
	nnWantErr(t, matMulKernel, nnNode("MatMul"), []*tensor.Tensor{nnRandTensor(r, 3, 4), nil}, "input 1 (B) is missing")
}
