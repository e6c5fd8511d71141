package dpu

import (
	"math/rand"
	"testing"
)

// naiveGemm is the plain triple loop in int64.
func naiveGemm(a []int8, b []int8, M, N, K int) []int64 {
	c := make([]int64, M*N)
	for m := 0; m < M; m++ {
		for n := 0; n < N; n++ {
			var s int64
			for k := 0; k < K; k++ {
				s += int64(a[m*K+k]) * int64(b[k*N+n])
			}
			c[m*N+n] = s
		}
	}
	return c
}

func randI8(r *rand.Rand, n int) []int8 {
	v := make([]int8, n)
	for i := range v {
		v[i] = int8(r.Intn(256) - 128)
	}
	return v
}

// packPixels packs B [K][N] (k-major) for gemmPacked.
func packPixelsKN(b []int8, N, K int) []int64 {
	bp := make([]int64, pairBlocks(N)*K*gemmPB)
	for n := 0; n < N; n++ {
		for k := 0; k < K; k++ {
			i, hi := pixelSlot(n, k, K)
			if hi {
				bp[i] += int64(b[k*N+n]) << 32
			} else {
				bp[i] += int64(b[k*N+n])
			}
		}
	}
	return bp
}

func TestGemmPacked(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 4, 4}, {5, 9, 300}, {17, 33, 129}, {8, 2, 8200}} {
		M, N, K := sz[0], sz[1], sz[2]
		a, b := randI8(r, M*K), randI8(r, K*N)
		// extremes: all -128 rows make the largest sums
		if K > 8000 {
			for i := range a {
				a[i], b[i%len(b)] = -128, -128
			}
		}
		want := naiveGemm(a, b, M, N, K)
		c := make([]int32, M*N)
		gemmPacked(c, N, packWeights(a, M, K, K), M, packPixelsKN(b, N, K), N, K)
		for i := range c {
			if int64(c[i]) != want[i] {
				t.Fatalf("M=%d N=%d K=%d: c[%d] = %d, want %d", M, N, K, i, c[i], want[i])
			}
		}
	}
}

func BenchmarkGemmPacked(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	M, N, K := 64, 40, 576
	a, bb := randI8(r, M*K), randI8(r, K*N)
	aP, bP := packWeights(a, M, K, K), packPixelsKN(bb, N, K)
	c := make([]int32, M*N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gemmPacked(c, N, aP, M, bP, N, K)
	}
	b.ReportMetric(2*float64(M*N*K)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
}
