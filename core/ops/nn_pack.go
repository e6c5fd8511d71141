package ops

// Packing moves for sgemm's B panels of 16 columns (the AVX2 kernel's
// width): pure data movement, so the assembly versions that replace them
// at init (nn_pack_amd64.s) cannot change a result. The pure Go versions
// assign element by element, which the compiler keeps in registers (an
// array assignment would become a memmove call per 16 floats).

// nnTaps is a list of source offsets in ascending order (so its first and
// last bound every access; the assembly relies on it). Build it with
// setTaps, which checks the order.
type nnTaps struct{ off []int }

// setTaps makes t the offsets in off (reused, not copied); it panics if
// they do not ascend, which would be a bug in the caller.
func (t *nnTaps) setTaps(off []int) {
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			panic("ops: tap offsets do not ascend")
		}
	}
	t.off = off
}

// sub is taps i..j.
func (t nnTaps) sub(i, j int) nnTaps { return nnTaps{t.off[i:j]} }

// nnCopy16Taps sets dst[16*i+j] = src[base+taps[i]+j] for j < 16 and every
// tap i. src must hold base+taps[i]+16 values for each i.
var nnCopy16Taps = nnCopy16TapsGo

// nnGather16x2Taps sets dst[16*i+j] = src[base+taps[i]+2*j] for j < 16:
// the stride-2 version (reads src up to base+taps[i]+30).
var nnGather16x2Taps = nnGather16x2TapsGo

// nnPackRows16 sets dst[(q*kc+p)*16+j] = src[p*ldb+q*16+j] for p < kc,
// q < np, j < 16: np whole panels of a row-major matrix, read row by row.
var nnPackRows16 = nnPackRows16Go

func nnCopy16TapsGo(dst, src []float32, base int, taps nnTaps) {
	dst = dst[:16*len(taps.off)]
	for i, t := range taps.off {
		d, v := (*[16]float32)(dst[16*i:]), (*[16]float32)(src[base+t:])
		d[0], d[1], d[2], d[3] = v[0], v[1], v[2], v[3]
		d[4], d[5], d[6], d[7] = v[4], v[5], v[6], v[7]
		d[8], d[9], d[10], d[11] = v[8], v[9], v[10], v[11]
		d[12], d[13], d[14], d[15] = v[12], v[13], v[14], v[15]
	}
}

func nnGather16x2TapsGo(dst, src []float32, base int, taps nnTaps) {
	dst = dst[:16*len(taps.off)]
	for i, t := range taps.off {
		d, v := (*[16]float32)(dst[16*i:]), (*[31]float32)(src[base+t:])
		d[0], d[1], d[2], d[3] = v[0], v[2], v[4], v[6]
		d[4], d[5], d[6], d[7] = v[8], v[10], v[12], v[14]
		d[8], d[9], d[10], d[11] = v[16], v[18], v[20], v[22]
		d[12], d[13], d[14], d[15] = v[24], v[26], v[28], v[30]
	}
}

func nnPackRows16Go(dst, src []float32, ldb, kc, np int) {
	for p := 0; p < kc; p++ {
		row := src[p*ldb : p*ldb+np*16]
		for q := 0; q < np; q++ {
			d, v := (*[16]float32)(dst[(q*kc+p)*16:]), (*[16]float32)(row[q*16:])
			d[0], d[1], d[2], d[3] = v[0], v[1], v[2], v[3]
			d[4], d[5], d[6], d[7] = v[4], v[5], v[6], v[7]
			d[8], d[9], d[10], d[11] = v[8], v[9], v[10], v[11]
			d[12], d[13], d[14], d[15] = v[12], v[13], v[14], v[15]
		}
	}
}
