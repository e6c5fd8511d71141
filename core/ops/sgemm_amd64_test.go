//go:build amd64 && !purego

package ops

import "testing"

// TestSgemmAVX2 checks the assembly kernel against the reference loop
// directly (TestSgemmBest covers it too, but only where init chose it),
// and that init does choose it on a CPU that supports it.
func TestSgemmAVX2(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2/FMA: the pure Go kernel is in use (TestSgemmGo covers it)")
	}
	if sgemmBest.mr != sgemmAVX2.mr || sgemmBest.nr != sgemmAVX2.nr {
		t.Fatalf("CPU has AVX2 and FMA but sgemm uses the %dx%d kernel", sgemmBest.mr, sgemmBest.nr)
	}
	testSgemmKernel(t, &sgemmAVX2)
}

// TestAVX2KernelsMatchPureGoBits: the assembly kernels must give exactly
// the pure Go kernels' bits (same order, multiply then add), since fixq's
// outputs must be the same natively and in the browser (wasm runs the
// pure Go kernels). Sizes cover full tiles, edges and several k blocks.
func TestAVX2KernelsMatchPureGoBits(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2: only the pure Go kernels run here")
	}
	r := uint32(7)
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			r = r*1664525 + 1013904223
			v[i] = float32(int32(r>>8)-1<<23) / float32(1<<20)
		}
		return v
	}
	for _, sz := range [][3]int{{6, 16, 3}, {13, 37, 300}, {64, 200, 700}, {1, 50, 20}, {7, 1, 9}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b := rnd(m*k), rnd(k*n)
		c1, c2 := rnd(m*n), make([]float32, m*n)
		copy(c2, c1)
		sgemmWith(&sgemmAVX2, &sgemmWork{}, false, false, m, n, k, 0.75, a, k, b, n, c1, n, true)
		saved := nnAxpy
		nnAxpy = nnAxpyGo // the m == 1 path uses axpy
		sgemmWith(&sgemmGo, &sgemmWork{}, false, false, m, n, k, 0.75, a, k, b, n, c2, n, true)
		nnAxpy = saved
		for i := range c1 {
			if c1[i] != c2[i] {
				t.Fatalf("sgemm %v: element %d: AVX2 %v, pure Go %v", sz, i, c1[i], c2[i])
			}
		}
	}
	for _, n := range []int{1, 7, 8, 15, 16, 33, 1000} {
		src, d1 := rnd(2*n+16), rnd(n)
		d2 := append([]float32(nil), d1...)
		nnAxpyAVX2(d1, src, 1.3)
		nnAxpyGo(d2, src, 1.3)
		e1 := append([]float32(nil), d1...)
		e2 := append([]float32(nil), d2...)
		nnAxpyStride2AVX2(e1, src, -0.7)
		nnAxpyStride2Go(e2, src, -0.7)
		for i := range d1 {
			if d1[i] != d2[i] || e1[i] != e2[i] {
				t.Fatalf("axpy n=%d: element %d differs: %v/%v, stride 2 %v/%v", n, i, d1[i], d2[i], e1[i], e2[i])
			}
		}
	}
}
