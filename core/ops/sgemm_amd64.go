//go:build amd64 && !purego

package ops

// The amd64 micro-kernel: a 6x16 tile in twelve YMM accumulators, AVX2
// multiply then add (sgemm_amd64.s), chosen at init when the CPU and OS support
// AVX2, FMA and YMM state. Build with -tags purego to use the pure Go
// kernel only; tests check both kernels against the reference loop.

//go:noescape
func sgemmKern6x16AVX2(kc int, pa, pb, c *float32, ldc int, acc bool, bias *float32)

func nnCPUID(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func nnXGETBV() (eax, edx uint32)

// sgemmAVX2 is the AVX2/FMA kernel (valid only where nnHasAVX2FMA).
var sgemmAVX2 = sgemmKernel{mr: 6, nr: 16, tile: sgemmTile6x16AVX2}

func sgemmTile6x16AVX2(kc int, pa, pb []float32, c []float32, ldc int, acc bool, bias []float32) {
	// Bounds checked here once; the assembly trusts them.
	_ = pa[kc*6-1]
	_ = pb[kc*16-1]
	_ = c[5*ldc+15]
	var bp *float32
	if bias != nil {
		_ = bias[5]
		bp = &bias[0]
	}
	sgemmKern6x16AVX2(kc, &pa[0], &pb[0], &c[0], ldc, acc, bp)
}

// nnHasAVX2FMA reports whether the CPU has AVX2 and FMA and the OS saves
// YMM registers.
func nnHasAVX2FMA() bool {
	maxID, _, _, _ := nnCPUID(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := nnCPUID(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := nnXGETBV(); xcr0&6 != 6 { // XMM and YMM state enabled
		return false
	}
	_, ebx7, _, _ := nnCPUID(7, 0)
	return ebx7&(1<<5) != 0 // AVX2
}

func init() {
	if nnHasAVX2FMA() {
		sgemmBest = sgemmAVX2
	}
}
