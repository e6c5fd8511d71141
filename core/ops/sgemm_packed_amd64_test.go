//go:build amd64 && !purego

package ops

import (
	"math"
	"math/rand/v2"

	"fixq/core/tensor"
	"testing"
)

// TestAVX2PackedMatchesPureGoBits: the blocked product with a bias
// starting value (Conv's GEMM) gives the same bits with the AVX2 and the
// pure Go micro-kernels, with B a stored matrix or Conv's implicit im2col,
// over full and partial tiles, one and several depth blocks, one and
// several row blocks; and the bias start is bit for bit "fill C with the
// bias, then accumulate" (the order Conv used before).
func TestAVX2PackedMatchesPureGoBits(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2: only the pure Go kernels run here")
	}
	r := rand.New(rand.NewPCG(21, 22))
	for _, sz := range [][3]int{{6, 16, 3}, {13, 37, 300}, {24, 200, 700}, {7, 33, 9}, {400, 40, 20}, {5, 1000, 513}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b, bias := nnRandSlice(r, m*k), nnRandSlice(r, k*n), nnRandSlice(r, m)
		bias[0] = float32(math.Copysign(0, -1))
		var outs [3][]float32
		for v, kern := range []*sgemmKernel{&sgemmAVX2, &sgemmGo} {
			c := nnNaNs(m * n)
			w := &sgemmWork{}
			w.mat = sgemmMat{b: b, ldb: n}
			sgemmPacked(kern, w, false, m, n, k, 1, a, k, &w.mat, c, n, false, bias)
			outs[v] = c
		}
		// The old order: C = bias, then C += A*B.
		c := make([]float32, m*n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				c[i*n+j] = bias[i]
			}
		}
		sgemmWith(&sgemmAVX2, &sgemmWork{}, false, false, m, n, k, 1, a, k, b, n, c, n, true)
		outs[2] = c
		for i := range c {
			g, p, o := math.Float32bits(outs[0][i]), math.Float32bits(outs[1][i]), math.Float32bits(outs[2][i])
			if g != p || g != o {
				t.Fatalf("%v: element %d: AVX2 %#x, pure Go %#x, fill-then-accumulate %#x", sz, i, g, p, o)
			}
		}
	}
	// Conv: the same window through both kernels (implicit im2col).
	for it := 0; it < 20; it++ {
		x := nnRandTensor(r, 1, 6, 9+r.IntN(20), 9+r.IntN(30))
		w := nnRandTensor(r, 7+r.IntN(10), 6, 3, 3)
		bias := nnRandTensor(r, w.Shape[0])
		s := 1 + r.IntN(2)
		node := nnNode("Conv", nnAInts("strides", s, s), nnAInts("pads", 1, 0, 1, 2))
		var got [2][]float32
		for v, kern := range []sgemmKernel{sgemmAVX2, sgemmGo} {
			sgemmBest = kern
			out, err := convKernel(&Ctx{}, node, []*tensor.Tensor{x, w, bias})
			sgemmBest = sgemmAVX2
			if err != nil {
				t.Fatal(err)
			}
			got[v] = out[0].F32
		}
		for i := range got[0] {
			if math.Float32bits(got[0][i]) != math.Float32bits(got[1][i]) {
				t.Fatalf("conv %v * %v stride %d: element %d: AVX2 %v, pure Go %v", x.Shape, w.Shape, s, i, got[0][i], got[1][i])
			}
		}
	}
}
