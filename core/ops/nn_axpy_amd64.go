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
	}
}
