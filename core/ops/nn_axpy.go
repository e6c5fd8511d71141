package ops

// nnAxpy adds a*src[i] to dst[i] for every i < len(dst) (src must be at
// least as long): the inner loop of the depthwise Conv and of col2im.
// An assembly version replaces it at init where the CPU allows.
var nnAxpy = nnAxpyGo

func nnAxpyGo(dst, src []float32, a float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += a * src[i]
	}
}
