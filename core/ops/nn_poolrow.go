package ops

// Row loops of the pooling window (nnPoolPlanes), one kernel tap at a
// time: element i of the output row takes input s*i. Assembly versions
// may replace them at init with the same results.

// nnMaxRow sets dst[i] = src[s*i] if src[s*i] > dst[i] (NaN never
// replaces, ±0 keep the first seen), for i < len(dst).
var nnMaxRow = nnMaxRowGo

// nnSumRow adds src[s*i] to dst[i] for i < len(dst).
var nnSumRow = nnSumRowGo

func nnMaxRowGo(dst, src []float32, s int) {
	for i := range dst {
		if v := src[s*i]; v > dst[i] {
			dst[i] = v
		}
	}
}

func nnSumRowGo(dst, src []float32, s int) {
	for i := range dst {
		dst[i] += src[s*i]
	}
}
