package ops

import (
	"math/rand/v2"
	"testing"
)

// TestAxpy checks nnAxpy (the assembly one where in use) and nnAxpyGo
// against a float64 loop on every length up to 70, with NaN guards after
// dst to catch writes past its end.
func TestAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	for _, f := range []struct {
		name string
		fn   func(dst, src []float32, a float32)
	}{{"nnAxpy", nnAxpy}, {"nnAxpyGo", nnAxpyGo}} {
		for n := 0; n <= 70; n++ {
			buf := append(nnRandSlice(r, n), nnNaNs(9)...)
			src := nnRandSlice(r, n+3)
			want := make([]float32, n)
			for i := range want {
				want[i] = float32(float64(buf[i]) + 0.7*float64(src[i]))
			}
			f.fn(buf[:n], src, 0.7)
			for i := range want {
				if !nnClose(buf[i], want[i], 1e-6) {
					t.Fatalf("%s n=%d: dst[%d] = %v, want %v", f.name, n, i, buf[i], want[i])
				}
			}
			for i := n; i < len(buf); i++ {
				if buf[i] == buf[i] {
					t.Fatalf("%s n=%d: wrote past dst at %d", f.name, n, i)
				}
			}
		}
	}
}

// TestAxpyStride2 checks the stride-2 variants the same way, with src
// exactly as long as needed (2n-1) and longer.
func TestAxpyStride2(t *testing.T) {
	r := rand.New(rand.NewPCG(73, 74))
	for _, f := range []struct {
		name string
		fn   func(dst, src []float32, a float32)
	}{{"nnAxpyStride2", nnAxpyStride2}, {"nnAxpyStride2Go", nnAxpyStride2Go}} {
		for n := 0; n <= 70; n++ {
			for extra := 0; extra < 3; extra++ {
				buf := append(nnRandSlice(r, n), nnNaNs(9)...)
				src := nnRandSlice(r, max(0, 2*n-1)+extra)
				want := make([]float32, n)
				for i := range want {
					want[i] = float32(float64(buf[i]) - 1.3*float64(src[2*i]))
				}
				f.fn(buf[:n], src, -1.3)
				for i := range want {
					if !nnClose(buf[i], want[i], 1e-6) {
						t.Fatalf("%s n=%d: dst[%d] = %v, want %v", f.name, n, i, buf[i], want[i])
					}
				}
				for i := n; i < len(buf); i++ {
					if buf[i] == buf[i] {
						t.Fatalf("%s n=%d: wrote past dst at %d", f.name, n, i)
					}
				}
			}
		}
	}
}
