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

// nnAxpyStride2 adds a*src[2*i] to dst[i] for every i < len(dst) (src
// must hold at least 2*len(dst)-1 values): the stride-2 depthwise Conv.
var nnAxpyStride2 = nnAxpyStride2Go

func nnAxpyStride2Go(dst, src []float32, a float32) {
	if len(dst) == 0 {
		return
	}
	src = src[:2*len(dst)-1]
	for i := range dst {
		dst[i] += a * src[2*i]
	}
}
