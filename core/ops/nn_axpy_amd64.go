//go:build amd64 && !purego

package ops

//go:noescape
func nnAxpyKernAVX2(dst, src *float32, n int, a float32)

func nnAxpyAVX2(dst, src []float32, a float32) {
	if len(dst) == 0 {
		return
	}
	_ = src[len(dst)-1] // bounds checked here; the assembly trusts n
	nnAxpyKernAVX2(&dst[0], &src[0], len(dst), a)
}

func init() {
	if nnHasAVX2FMA() {
		nnAxpy = nnAxpyAVX2
		nnAxpyStride2 = nnAxpyStride2AVX2
	}
}

//go:noescape
func nnAxpyStride2KernAVX2(dst, src *float32, groups int, a float32)

// nnAxpyStride2AVX2 does 8 outputs (16 inputs) per step in assembly
// while 16 inputs remain readable, the rest in Go.
func nnAxpyStride2AVX2(dst, src []float32, a float32) {
	n := len(dst)
	if n == 0 {
		return
	}
	_ = src[2*n-2]
	groups := min(n/8, len(src)/16)
	if groups > 0 {
		nnAxpyStride2KernAVX2(&dst[0], &src[0], groups, a)
	}
	nnAxpyStride2Go(dst[8*groups:], src[16*groups:], a)
}
