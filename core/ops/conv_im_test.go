package ops

import (
	"math/rand/v2"
	"testing"
)

// TestConvImBMatchesIm2col: the panels convImB packs straight from X are
// exactly the panels of the explicit im2col matrix (nnIm2col) packed as a
// stored matrix, for 1-D to 3-D windows with strides, dilations, pads,
// both panel widths, and depth and column ranges that start and end
// anywhere (partial panels).
func TestConvImBMatchesIm2col(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for it := 0; it < 300; it++ {
		rank := 1 + r.IntN(3)
		var w nnWindow
		w.rank = rank
		for i := 0; i < 3; i++ {
			w.in[i], w.out[i], w.k[i], w.stride[i], w.dil[i] = 1, 1, 1, 1, 1
		}
		for j := 3 - rank; j < 3; j++ {
			w.k[j] = 1 + r.IntN(4)
			w.stride[j] = 1 + r.IntN(3)
			w.dil[j] = 1 + r.IntN(2)
			w.padB[j], w.padE[j] = r.IntN(3), r.IntN(3)
			ek := (w.k[j]-1)*w.dil[j] + 1
			w.in[j] = max(1, ek-w.padB[j]-w.padE[j]) + r.IntN(20)
		}
		w.autoPad = "NOTSET"
		if err := w.forwardOut(nnNode("Conv"), false); err != nil {
			t.Fatal(err)
		}
		cg := 1 + r.IntN(4)
		x := nnRandSlice(r, cg*w.inVol())
		kdim, n := cg*w.kvol(), w.outVol()
		col := make([]float32, kdim*n)
		nnIm2col(col, x, cg, &w, 0, w.out[0]*w.out[1])
		var im convImB
		dp, hp, wp := w.in[0]+w.padB[0]+w.padE[0], w.in[1]+w.padB[1]+w.padE[1], w.in[2]+w.padB[2]+w.padE[2]
		im.reset(x, &w, cg, nnNaNs(cg*dp*hp*wp+5), make([]int, kdim))
		mat := sgemmMat{b: col, ldb: n}
		for _, nr := range []int{4, 16} {
			pc := r.IntN(kdim)
			kc := 1 + r.IntN(kdim-pc)
			j0 := r.IntN(n)
			ncols := 1 + r.IntN(n-j0)
			np := (ncols + nr - 1) / nr
			got, want := nnNaNs(np*nr*kc), nnNaNs(np*nr*kc)
			im.packPanels(got, nr, pc, kc, j0, ncols)
			mat.packPanels(want, nr, pc, kc, j0, ncols)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("window %+v cg=%d nr=%d pc=%d kc=%d j0=%d ncols=%d: element %d = %v, im2col has %v",
						w, cg, nr, pc, kc, j0, ncols, i, got[i], want[i])
				}
			}
		}
	}
}
