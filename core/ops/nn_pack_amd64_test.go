//go:build amd64 && !purego

package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNNPackAVX2MatchesGo: the assembly packing moves put exactly the
// values the Go loops do (and nothing past them), including taps at the
// very end of the source, where the stride-2 gather hands over to Go.
func TestNNPackAVX2MatchesGo(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2")
	}
	r := rand.New(rand.NewPCG(1, 1))
	for it := 0; it < 200; it++ {
		src := nnRandSlice(r, 40+r.IntN(400))
		n := r.IntN(20)
		off := make([]int, n)
		for i := range off {
			off[i] = r.IntN(len(src) - 31)
		}
		for i := 1; i < n; i++ { // ascending
			if off[i] < off[i-1] {
				off[i], off[i-1] = off[i-1], off[i]
				i = 0
			}
		}
		if it%3 == 0 && n > 0 {
			off[n-1] = len(src) - 31 // the last tap reads src's last value
		}
		var taps nnTaps
		taps.setTaps(off)
		for _, f := range []struct {
			name      string
			asm, pure func(dst, src []float32, base int, taps nnTaps)
		}{{"copy", nnCopy16TapsAVX2, nnCopy16TapsGo}, {"gather2", nnGather16x2TapsAVX2, nnGather16x2TapsGo}} {
			got, want := nnNaNs(16*n+3), nnNaNs(16*n+3)
			f.asm(got, src, 0, taps)
			f.pure(want, src, 0, taps)
			for i := range want {
				if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s taps %v: dst[%d] = %v, want %v", f.name, off, i, got[i], want[i])
				}
			}
		}
		kc, np := 1+r.IntN(6), 1+r.IntN(4)
		ldb := np*16 + r.IntN(9)
		m := nnRandSlice(r, (kc-1)*ldb+np*16)
		got, want := nnNaNs(np*kc*16+2), nnNaNs(np*kc*16+2)
		nnPackRows16AVX2(got, m, ldb, kc, np)
		nnPackRows16Go(want, m, ldb, kc, np)
		for i := range want {
			if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("rows kc=%d np=%d ldb=%d: dst[%d] = %v, want %v", kc, np, ldb, i, got[i], want[i])
			}
		}
	}
}

// TestNNPoolRowAVX2MatchesGo: the vector pool rows keep the scalar rule
// bit for bit (NaN never wins a max, the first of ±0 stays), strides 1
// and 2, blocks that end at the last readable value.
func TestNNPoolRowAVX2MatchesGo(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2")
	}
	for it := 0; it < 400; it++ {
		s := 1 + it%2
		n := it % 70
		src := ewData(s*n+it%3+1, uint32(it))
		init := ewData(n, uint32(it+1000))
		for _, f := range []struct {
			name      string
			asm, pure func(dst, src []float32, s int)
		}{{"max", nnMaxRow, nnMaxRowGo}, {"sum", nnSumRow, nnSumRowGo}} {
			got := append(append([]float32(nil), init...), 7)
			want := append(append([]float32(nil), init...), 7)
			f.asm(got[:n], src, s)
			f.pure(want[:n], src, s)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s n=%d s=%d: dst[%d] = %v, want %v", f.name, n, s, i, got[i], want[i])
				}
			}
		}
	}
}
