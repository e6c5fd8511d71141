package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sgemmBlockedRef is the plain loop whose float32 operations sgemm's pure
// Go kernel must reproduce exactly: per element, each depth block of
// sgemmKC is summed from zero in order of p, then stored (bias + sum on the
// first block when a bias is given, else sum) or added to C.
func sgemmBlockedRef(m, n, k int, a, b, c []float32, accumulate bool, bias []float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for pc := 0; pc < k; pc += sgemmKC {
				var s float32
				for p := pc; p < min(k, pc+sgemmKC); p++ {
					s += a[i*k+p] * b[p*n+j]
				}
				switch {
				case accumulate || pc > 0:
					c[i*n+j] += s
				case bias != nil:
					c[i*n+j] = bias[i] + s
				default:
					c[i*n+j] = s
				}
			}
		}
	}
}

// TestSgemmGoBits checks the pure Go kernel (the one wasm and purego run)
// bit for bit against sgemmBlockedRef: full strips and edge tiles, depths
// with every remainder of the unrolled loop, several depth blocks, and
// more rows than one row block.
func TestSgemmGoBits(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][3]int{{4, 4, 1}, {8, 8, 2}, {12, 20, 3}, {7, 9, 5}, {16, 16, 7}, {200, 192, 32},
		{88, 288, 16}, {33, 70, 300}, {5, 1000, 513}, {400, 40, 20}, {390, 13, 257}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b, bias := nnRandSlice(r, m*k), nnRandSlice(r, k*n), nnRandSlice(r, m)
		for _, mode := range []string{"bias", "plain", "accumulate"} {
			want, got := nnRandSlice(r, m*n), make([]float32, m*n)
			copy(got, want)
			var bi []float32
			if mode == "bias" {
				bi = bias
			}
			acc := mode == "accumulate"
			sgemmBlockedRef(m, n, k, a, b, want, acc, bi)
			w := &sgemmWork{}
			w.mat = sgemmMat{b: b, ldb: n}
			sgemmPacked(&sgemmGo, w, false, m, n, k, 1, a, k, &w.mat, got, n, acc, bi)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("m=%d n=%d k=%d %s: c[%d] = %v, want %v", m, n, k, mode, i, got[i], want[i])
				}
			}
		}
	}
}
