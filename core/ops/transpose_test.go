package ops

import (
	"fmt"
	"testing"

	"fixq/core/tensor"
)

// transposeRef is the plain reference loop: unravel each output index,
// permute it, ravel into the input.
func transposeRef(x *tensor.Tensor, perm []int) []float32 {
	r := len(perm)
	outShape := make([]int, r)
	for d, p := range perm {
		outShape[d] = x.Shape[p]
	}
	out := make([]float32, len(x.F32))
	idx := make([]int, r)
	for k := range out {
		rem := k
		for d := r - 1; d >= 0; d-- {
			idx[d] = rem % outShape[d]
			rem /= outShape[d]
		}
		src := 0
		for a := range r {
			var i int
			for d, p := range perm {
				if p == a {
					i = idx[d]
				}
			}
			src = src*x.Shape[a] + i
		}
		out[k] = x.F32[src]
	}
	return out
}

func TestTransposeAgainstReference(t *testing.T) {
	x := shapeF32Seq(2, 3, 4, 5)
	for _, perm := range [][]int64{{0, 2, 3, 1}, {3, 2, 1, 0}, {1, 0, 3, 2}, {0, 1, 3, 2}, {2, 0, 1, 3}} {
		p := make([]int, len(perm))
		shape := make([]int, len(perm))
		for i, v := range perm {
			p[i] = int(v)
			shape[i] = x.Shape[v]
		}
		got := shapeRun(t, 13, shapeNode("Transpose", 1, shapeAInts("perm", perm...)), x)[0]
		shapeWantF32(t, fmt.Sprint(perm), got, shape, transposeRef(x, p), 0)
	}
	// Default perm reverses; int64 data.
	y := tensor.FromInt64([]int64{1, 2, 3, 4, 5, 6}, 2, 3)
	got := shapeRun(t, 13, shapeNode("Transpose", 1), y)[0]
	shapeWant(t, "default", got, tensor.FromInt64([]int64{1, 4, 2, 5, 3, 6}, 3, 2))
	// Rank 9 (beyond the stack-held counters).
	z := shapeF32Seq(2, 1, 2, 1, 2, 1, 2, 1, 2)
	perm := []int64{8, 7, 6, 5, 4, 3, 2, 1, 0}
	pi := []int{8, 7, 6, 5, 4, 3, 2, 1, 0}
	got = shapeRun(t, 13, shapeNode("Transpose", 1, shapeAInts("perm", perm...)), z)[0]
	shapeWantF32(t, "rank 9", got, []int{2, 1, 2, 1, 2, 1, 2, 1, 2}, transposeRef(z, pi), 0)
}

func TestTransposeErrors(t *testing.T) {
	x := shapeF32Seq(2, 3)
	shapeWantErr(t, 13, shapeNode("Transpose", 1, shapeAInts("perm", 0, 0)), "not a permutation", x)
	shapeWantErr(t, 13, shapeNode("Transpose", 1, shapeAInts("perm", 0)), "has rank 2", x)
	shapeWantErr(t, 13, shapeNode("Transpose", 1, shapeAInts("perm", 0, 2)), "out of range", x)
}
