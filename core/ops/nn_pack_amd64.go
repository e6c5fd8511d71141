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
	}
}
