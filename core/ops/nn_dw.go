package ops

// nnDwRow is the depthwise Conv inner loop: for i < len(dst),
//
//	dst[i] = bias + (w[0]*src[s*i+o[0]] + w[1]*src[s*i+o[1]] + ...)
//
// with o the tap offsets, the sum started from 0 and taken in tap order
// (each product rounded, then added: no FMA). It is what the earlier
// "clear, one axpy per tap, add to the bias-filled output" loop computed,
// one output at a time. An assembly version may replace it at init with
// the same bits.
var nnDwRow = nnDwRowGo

func nnDwRowGo(dst, src []float32, s int, w []float32, taps nnTaps, bias float32) {
	o := taps.off
	w = w[:len(o)]
	for i := range dst {
		var acc float32
		for t, wt := range w {
			acc += float32(wt * src[s*i+o[t]])
		}
		dst[i] = bias + acc
	}
}
