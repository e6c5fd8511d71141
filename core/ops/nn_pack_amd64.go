//go:build amd64 && !purego

package ops

//go:noescape
func nnCopy16TapsKern(dst, src *float32, taps *int, n int)

//go:noescape
func nnGather16x2TapsKern(dst, src *float32, taps *int, n int)

//go:noescape
func nnPackRows16Kern(dst, src *float32, ldb, kc, np int)

// The wrappers check every access once (taps ascend, so the first and
// last bound them); the assembly trusts them.

func nnCopy16TapsAVX2(dst, src []float32, base int, taps nnTaps) {
	n := len(taps.off)
	if n == 0 {
		return
	}
	_ = dst[16*n-1]
	_ = src[base+taps.off[0]]
	_ = src[base+taps.off[n-1]+15]
	nnCopy16TapsKern(&dst[0], &src[base], &taps.off[0], n)
}

func nnGather16x2TapsAVX2(dst, src []float32, base int, taps nnTaps) {
	n := len(taps.off)
	if n == 0 {
		return
	}
	_ = src[base+taps.off[0]]
	// The assembly reads 32 values per tap (one past the last used):
	// leave the taps too close to the end of src to the Go loop.
	k := n
	for k > 0 && base+taps.off[k-1]+32 > len(src) {
		k--
	}
	if k > 0 {
		_ = dst[16*k-1]
		nnGather16x2TapsKern(&dst[0], &src[base], &taps.off[0], k)
	}
	nnGather16x2TapsGo(dst[16*k:], src, base, taps.sub(k, n))
}

func nnPackRows16AVX2(dst, src []float32, ldb, kc, np int) {
	if kc <= 0 || np <= 0 {
		return
	}
	_ = dst[((np-1)*kc+kc)*16-1]
	_ = src[(kc-1)*ldb+np*16-1]
	if ldb < 0 {
		nnPackRows16Go(dst, src, ldb, kc, np)
		return
	}
	nnPackRows16Kern(&dst[0], &src[0], ldb, kc, np)
}

func init() {
	if nnHasAVX2FMA() {
		nnCopy16Taps = nnCopy16TapsAVX2
		nnGather16x2Taps = nnGather16x2TapsAVX2
		nnPackRows16 = nnPackRows16AVX2
		nnDwRow = nnDwRowAVX2
		nnSum64 = nnSum64AVX2
		nnMaxRow = func(dst, src []float32, s int) { nnPoolRowAVX2(nnMaxRowKern, nnMaxRowGo, dst, src, s) }
		nnSumRow = func(dst, src []float32, s int) { nnPoolRowAVX2(nnSumRowKern, nnSumRowGo, dst, src, s) }
	}
}

//go:noescape
func nnDwRowKern(dst *float32, n int, src *float32, s int, w *float32, offs *int, ntaps int, bias float32)

func nnDwRowAVX2(dst, src []float32, s int, w []float32, taps nnTaps, bias float32) {
	n, nt := len(dst), len(taps.off)
	if n == 0 {
		return
	}
	if nt == 0 || len(w) < nt || (s != 1 && s != 2) || taps.off[0] < 0 {
		nnDwRowGo(dst, src, s, w, taps, bias)
		return
	}
	last := taps.off[nt-1]
	_ = src[s*(n-1)+last]
	// Vector blocks of 8 outputs; a stride-2 block reads one value past
	// its last tap, so it must end before src does.
	k := n / 8 * 8
	for k > 0 && s*(k-8)+last+8*s-1 >= len(src) {
		k -= 8
	}
	if k > 0 {
		nnDwRowKern(&dst[0], k, &src[0], s, &w[0], &taps.off[0], nt, bias)
	}
	if k < n {
		nnDwRowGo(dst[k:], src[s*k:], s, w, taps, bias)
	}
}

//go:noescape
func nnSum64Kern(x *float32, blocks int) float64

func nnSum64AVX2(x []float32) float64 {
	nb := len(x) / 16
	var s float64
	if nb > 0 {
		_ = x[16*nb-1]
		s = nnSum64Kern(&x[0], nb)
	}
	for _, v := range x[16*nb:] {
		s += float64(v)
	}
	return s
}

//go:noescape
func nnMaxRowKern(dst, src *float32, n, s int)

//go:noescape
func nnSumRowKern(dst, src *float32, n, s int)

// nnPoolRowAVX2 runs kern on the whole blocks of 8 outputs that stay
// inside src (a stride-2 block reads one value past its last input) and
// the Go loop on the rest.
func nnPoolRowAVX2(kern func(dst, src *float32, n, s int), rest func(dst, src []float32, s int), dst, src []float32, s int) {
	n := len(dst)
	if n == 0 {
		return
	}
	if s != 1 && s != 2 {
		rest(dst, src, s)
		return
	}
	_ = src[s*(n-1)]
	k := n / 8 * 8
	for k > 0 && s*(k-8)+8*s-1 >= len(src) {
		k -= 8
	}
	if k > 0 {
		kern(&dst[0], &src[0], k, s)
	}
	if k < n {
		rest(dst[k:], src[s*k:], s)
	}
}
