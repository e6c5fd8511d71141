package ops

// nnSum64 returns the float64 sum of x in a fixed order that vectorizes:
// over whole blocks of 16, value i goes to lane i mod 16; the lanes are
// combined pairwise (lane l += lane l+8 for l < 8, then l+4, l+2, l+1);
// the values past the last whole block are then added in order. Float64
// sums of float32 values this short are exact or nearly so, so the order
// rarely shows in a float32 result; it is fixed so that it never differs
// between machines (an assembly version may replace this at init).
var nnSum64 = nnSum64Go

func nnSum64Go(x []float32) float64 {
	nb := len(x) / 16 * 16
	var acc [16]float64
	for i := 0; i < nb; i += 16 {
		b := (*[16]float32)(x[i:])
		for l := range acc {
			acc[l] += float64(b[l])
		}
	}
	return nnSum64Finish(&acc, x[nb:])
}

func nnSum64Finish(acc *[16]float64, tail []float32) float64 {
	for w := 8; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			acc[l] += acc[l+w]
		}
	}
	s := acc[0]
	for _, v := range tail {
		s += float64(v)
	}
	return s
}
