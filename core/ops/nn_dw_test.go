package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// nnDwRef is the plain loop nnDwRow must equal bit for bit: accumulators
// cleared, one multiply-then-add pass per tap, then added to the bias (the
// order of the earlier axpy-based depthwise path).
func nnDwRef(n int, src []float32, s int, w []float32, off []int, bias float32) []float32 {
	acc := make([]float32, n)
	for t, wt := range w {
		for i := range acc {
			p := float32(wt * src[s*i+off[t]])
			acc[i] += p
		}
	}
	for i := range acc {
		acc[i] = bias + acc[i]
	}
	return acc
}

func TestNNDwRowMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for it := 0; it < 300; it++ {
		s := 1 + r.IntN(2)
		n := r.IntN(70)
		nt := 1 + r.IntN(25)
		off := make([]int, nt)
		for i := 1; i < nt; i++ {
			off[i] = off[i-1] + r.IntN(5)
		}
		src := ewData(s*n+off[nt-1]+1+r.IntN(3), uint32(it))
		w := nnRandSlice(r, nt)
		if it%5 == 0 {
			w[0] = float32(math.Copysign(0, -1))
		}
		bias := []float32{0, -1.5, float32(math.Copysign(0, -1)), 3}[it%4]
		var taps nnTaps
		taps.setTaps(off)
		want := nnDwRef(n, src, s, w, off, bias)
		for _, f := range []struct {
			name string
			fn   func(dst, src []float32, s int, w []float32, taps nnTaps, bias float32)
		}{{"go", nnDwRowGo}, {"go1", nnDwRowGo1}, {"best", nnDwRow}} {
			got := nnNaNs(n + 2)
			f.fn(got[:n], src, s, w, taps, bias)
			for i := 0; i < n; i++ {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s n=%d s=%d taps=%d: dst[%d] = %v, want %v", f.name, n, s, nt, i, got[i], want[i])
				}
			}
			if got[n] == got[n] || got[n+1] == got[n+1] {
				t.Fatalf("%s wrote past dst", f.name)
			}
		}
	}
}

// TestNNSum64Order: nnSum64 (and its assembly version) adds in exactly the
// documented order, written out here as a plain loop, for lengths around
// the 16-value blocks and values whose float64 sum does round.
func TestNNSum64Order(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 100, 576, 1001} {
		x := make([]float32, n)
		for i := range x {
			// Magnitudes 2^-40 .. 2^40: the float64 partial sums round.
			x[i] = float32(math.Ldexp(r.NormFloat64(), r.IntN(80)-40))
		}
		lanes := make([]float64, 16)
		nb := n / 16 * 16
		for i := 0; i < nb; i++ {
			lanes[i%16] = lanes[i%16] + float64(x[i])
		}
		for _, w := range []int{8, 4, 2, 1} {
			for l := 0; l < w; l++ {
				lanes[l] = lanes[l] + lanes[l+w]
			}
		}
		want := lanes[0]
		for _, v := range x[nb:] {
			want = want + float64(v)
		}
		for name, f := range map[string]func([]float32) float64{"go": nnSum64Go, "best": nnSum64} {
			if got := f(x); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s n=%d: %v, want %v", name, n, got, want)
			}
		}
	}
}
