package ops

import "math"

// ewSpecials are the values where vector min/max and arithmetic could
// part from the scalar Go loops: NaN, signed zeros, infinities,
// subnormals, the extremes.
var ewSpecials = []float32{
	float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	1e-45, -1e-45, 1.2e-38, math.MaxFloat32, -math.MaxFloat32, 1, -1, 6, 3, -3, 0.5,
}

// ewData returns n values, a quarter of them specials, the rest spread
// over several magnitudes.
func ewData(n int, seed uint32) []float32 {
	v := make([]float32, n)
	r := seed
	for i := range v {
		r = r*1664525 + 1013904223
		if r>>30 == 0 {
			v[i] = ewSpecials[int(r>>8)%len(ewSpecials)]
			continue
		}
		v[i] = float32(int32(r>>8)-1<<23) / float32(int32(1)<<(r%24))
	}
	return v
}
