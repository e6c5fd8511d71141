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

// nnDwRowGo computes eight outputs at a time (at strides 1 and 2) in
// eight accumulators, each summed over the taps in order exactly as the
// one-output loop (nnDwRowGo1) does; the blocking only saves the
// per-product loads of the tap offset and weight and the bounds checks,
// which dominate the pure Go kernel (wasm).
func nnDwRowGo(dst, src []float32, s int, w []float32, taps nnTaps, bias float32) {
	o := taps.off
	w = w[:len(o)]
	i := 0
	switch s {
	case 1:
		for ; i+8 <= len(dst); i += 8 {
			var a0, a1, a2, a3, a4, a5, a6, a7 float32
			for t, wt := range w {
				v := (*[8]float32)(src[i+o[t]:])
				a0 += float32(wt * v[0])
				a1 += float32(wt * v[1])
				a2 += float32(wt * v[2])
				a3 += float32(wt * v[3])
				a4 += float32(wt * v[4])
				a5 += float32(wt * v[5])
				a6 += float32(wt * v[6])
				a7 += float32(wt * v[7])
			}
			d := (*[8]float32)(dst[i:])
			d[0], d[1], d[2], d[3] = bias+a0, bias+a1, bias+a2, bias+a3
			d[4], d[5], d[6], d[7] = bias+a4, bias+a5, bias+a6, bias+a7
		}
	case 2:
		for ; i+8 <= len(dst); i += 8 {
			var a0, a1, a2, a3, a4, a5, a6, a7 float32
			for t, wt := range w {
				v := (*[15]float32)(src[2*i+o[t]:])
				a0 += float32(wt * v[0])
				a1 += float32(wt * v[2])
				a2 += float32(wt * v[4])
				a3 += float32(wt * v[6])
				a4 += float32(wt * v[8])
				a5 += float32(wt * v[10])
				a6 += float32(wt * v[12])
				a7 += float32(wt * v[14])
			}
			d := (*[8]float32)(dst[i:])
			d[0], d[1], d[2], d[3] = bias+a0, bias+a1, bias+a2, bias+a3
			d[4], d[5], d[6], d[7] = bias+a4, bias+a5, bias+a6, bias+a7
		}
	}
	if i < len(dst) {
		nnDwRowGo1(dst[i:], src[s*i:], s, w, taps, bias)
	}
}

// nnDwRowGo1 is nnDwRow one output at a time (the tail of nnDwRowGo).
func nnDwRowGo1(dst, src []float32, s int, w []float32, taps nnTaps, bias float32) {
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
