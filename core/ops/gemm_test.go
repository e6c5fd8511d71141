package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// nnRefGemmOp is Gemm's definition as a plain loop: C indexed with
// broadcasting by the modulo of its own dims.
func nnRefGemmOp(a, b, c *tensor.Tensor, alpha, beta float32, transA, transB bool) ([]float32, []int) {
	m, k := a.Shape[0], a.Shape[1]
	if transA {
		m, k = k, m
	}
	nn := b.Shape[1]
	if transB {
		nn = b.Shape[0]
	}
	y := make([]float32, m*nn)
	for i := 0; i < m; i++ {
		for j := 0; j < nn; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a.F32[p*m+i]
				} else {
					av = a.F32[i*k+p]
				}
				if transB {
					bv = b.F32[j*k+p]
				} else {
					bv = b.F32[p*nn+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if c != nil {
				cm, cn := 1, 1
				switch c.Rank() {
				case 1:
					cn = c.Shape[0]
				case 2:
					cm, cn = c.Shape[0], c.Shape[1]
				}
				v += float64(beta) * float64(c.F32[(i%cm)*cn+j%cn])
			}
			y[i*nn+j] = float32(v)
		}
	}
	return y, []int{m, nn}
}

func TestGemmRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for i := 0; i < 40; i++ {
		m, k, nn := 1+r.IntN(40), 1+r.IntN(70), 1+r.IntN(40)
		transA, transB := r.IntN(2) == 1, r.IntN(2) == 1
		as, bs := []int{m, k}, []int{k, nn}
		if transA {
			as = []int{k, m}
		}
		if transB {
			bs = []int{nn, k}
		}
		a, b := nnRandTensor(r, as...), nnRandTensor(r, bs...)
		var c *tensor.Tensor
		switch i % 7 {
		case 1:
			c = nnRandTensor(r)
		case 2:
			c = nnRandTensor(r, nn)
		case 3:
			c = nnRandTensor(r, 1)
		case 4:
			c = nnRandTensor(r, m, 1)
		case 5:
			c = nnRandTensor(r, 1, nn)
		case 6:
			c = nnRandTensor(r, m, nn)
		}
		alpha, beta := float32(1), float32(1)
		if i%3 == 1 {
			alpha, beta = 0.5, -2
		}
		in := []*tensor.Tensor{a, b}
		if c != nil {
			in = append(in, c)
		}
		want, shape := nnRefGemmOp(a, b, c, alpha, beta, transA, transB)
		node := nnNode("Gemm", nnAFloat("alpha", alpha), nnAFloat("beta", beta),
			nnAInt("transA", map[bool]int{false: 0, true: 1}[transA]), nnAInt("transB", map[bool]int{false: 0, true: 1}[transB]))
		out := nnRunNaN(t, gemmKernel, 13, node, len(want), in...)
		var cs []int
		if c != nil {
			cs = c.Shape
		}
		nnCompare(t, fmt.Sprintf("Gemm m%d k%d n%d tA%v tB%v C%v", m, k, nn, transA, transB, cs), out[0], shape, want, 1e-4, 1e-4)
	}
}

func TestGemmONNX(t *testing.T) {
	for _, name := range []string{
		"test_gemm_all_attributes", "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_matrix_bias",
		"test_gemm_default_no_bias", "test_gemm_default_scalar_bias", "test_gemm_default_single_elem_vector_bias",
		"test_gemm_default_vector_bias", "test_gemm_default_zero_bias", "test_gemm_transposeA", "test_gemm_transposeB",
	} {
		nnONNXCase(t, name, "")
	}
}

func TestGemmErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	a, b := nnRandTensor(r, 3, 4), nnRandTensor(r, 5, 6)
	nnWantErr(t, gemmKernel, nnNode("Gemm"), []*tensor.Tensor{a, b}, "A' is 3x4 but B' is 5x6")
	nnWantErr(t, gemmKernel, nnNode("Gemm"), []*tensor.Tensor{a, nnRandTensor(r, 4, 2), nnRandTensor(r, 2, 2)}, "C has shape [2 2], which does not broadcast to [3 2]")
	nnWantErr(t, gemmKernel, nnNode("Gemm"), []*tensor.Tensor{nnRandTensor(r, 3), b}, "input 0 (A) has shape [3], want rank >= 2")
	nnWantErr(t, gemmKernel, nnNode("Gemm"), []*tensor.Tensor{nnRandTensor(r, 1, 3, 4), b}, "must both be 2-D")
	nnWantErr(t, gemmKernel, nnNode("Gemm", nnAInt("transA", 2)), []*tensor.Tensor{a, b}, "transA = 2")
	nnWantErr(t, gemmKernel, nnNode("Gemm", nnAInts("alpha", 2)), []*tensor.Tensor{a, b}, "attribute alpha is ints, want float")
}
