package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// nnRefGemm is the plain reference loop sgemm must match (float64 sums).
func nnRefGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float32(float64(alpha) * s)
			if accumulate {
				v += c[i*ldc+j]
			}
			c[i*ldc+j] = v
		}
	}
}

func nnRandSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// nnNaNs returns a slice of n NaNs, used as guard values: a kernel that
// reads past its operand picks up NaN, one that writes past its output
// overwrites a NaN the test checks for.
func nnNaNs(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

// nnClose reports whether got matches want within tol relative to the
// row's magnitude scale (sum of |terms| would be tighter; scale is enough
// to catch indexing bugs while allowing reassociation).
func nnClose(got, want, tol float32) bool {
	if math.IsNaN(float64(got)) || math.IsNaN(float64(want)) {
		return math.IsNaN(float64(got)) && math.IsNaN(float64(want))
	}
	d := got - want
	if d < 0 {
		d = -d
	}
	s := want
	if s < 0 {
		s = -s
	}
	return d <= tol*(1+s)
}

func testSgemmKernel(t *testing.T, kern *sgemmKernel) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := [][3]int{{1, 1, 1}, {4, 4, 4}, {5, 7, 3}, {17, 33, 9}, {3, 1, 300}, {1, 40, 513},
		{97, 13, 257}, {6, 16, 8}, {13, 31, 20}, {100, 1030, 17}, {7, 2050, 5}, {200, 9, 600}}
	for i := 0; i < 20; i++ {
		sizes = append(sizes, [3]int{1 + r.IntN(70), 1 + r.IntN(70), 1 + r.IntN(300)})
	}
	var w sgemmWork
	for _, sz := range sizes {
		for variant := 0; variant < 8; variant++ {
			m, n, k := sz[0], sz[1], sz[2]
			transA, transB, accumulate := variant&1 != 0, variant&2 != 0, variant&4 != 0
			alpha := float32(1)
			if variant == 5 {
				alpha = -0.75
			}
			// Row strides larger than the logical width, margins of NaN.
			lda, ldb, ldc := k+3, n+2, n+5
			ar, br := m, k
			if transA {
				lda, ar = m+1, k
			}
			if transB {
				ldb, br = k+4, n
			}
			a := nnNaNs(ar*lda + 7)
			b := nnNaNs(br*ldb + 7)
			aw, bw := k, n // stored row widths
			if transA {
				aw = m
			}
			if transB {
				bw = k
			}
			for i := 0; i < ar; i++ {
				copy(a[i*lda:], nnRandSlice(r, aw))
			}
			for i := 0; i < br; i++ {
				copy(b[i*ldb:], nnRandSlice(r, bw))
			}
			c := nnNaNs(m*ldc + 9)
			for i := 0; i < m; i++ {
				copy(c[i*ldc:], nnRandSlice(r, n))
			}
			want := append([]float32(nil), c...)
			nnRefGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, want, ldc, accumulate)
			sgemmWith(kern, &w, transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, accumulate)
			tol := float32(1e-5) * float32(math.Sqrt(float64(k)))
			for i := range c {
				if !nnClose(c[i], want[i], tol) {
					t.Fatalf("m=%d n=%d k=%d transA=%v transB=%v acc=%v alpha=%v: c[%d] (row %d col %d) = %v, want %v",
						m, n, k, transA, transB, accumulate, alpha, i, i/ldc, i%ldc, c[i], want[i])
				}
			}
		}
	}
}

func TestSgemmGo(t *testing.T) { testSgemmKernel(t, &sgemmGo) }

func TestSgemmBest(t *testing.T) { testSgemmKernel(t, &sgemmBest) }

func TestSgemmZeroK(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	sgemm(nil, false, false, 2, 2, 0, 1, nil, 0, nil, 2, c, 2, false)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("k=0 without accumulate: c[%d] = %v, want 0", i, v)
		}
	}
}

func BenchmarkSgemm(b *testing.B) {
	for _, sz := range [][3]int{{32, 3136, 288}, {64, 64, 64}, {256, 256, 256}, {512, 512, 512}, {1, 1000, 1280}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, kv := range []struct {
			name string
			kern *sgemmKernel
		}{{"go", &sgemmGo}, {"best", &sgemmBest}} {
			b.Run(fmt.Sprintf("kern=%s/m=%d,n=%d,k=%d", kv.name, m, n, k), func(b *testing.B) {
				r := rand.New(rand.NewPCG(3, 4))
				a, bb, c := nnRandSlice(r, m*k), nnRandSlice(r, k*n), make([]float32, m*n)
				var w sgemmWork
				sgemmWith(kv.kern, &w, false, false, m, n, k, 1, a, k, bb, n, c, n, false) // grow buffers
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					sgemmWith(kv.kern, &w, false, false, m, n, k, 1, a, k, bb, n, c, n, false)
				}
				b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
