//go:build amd64 && !purego

package ops

// AVX2 versions of the ew.go loops (ew_amd64.s), chosen at init where the
// CPU allows. The wrappers check lengths once; the assembly trusts n.

//go:noescape
func ewAddVVKern(d, a, b *float32, n int)

//go:noescape
func ewSubVVKern(d, a, b *float32, n int)

//go:noescape
func ewMulVVKern(d, a, b *float32, n int)

//go:noescape
func ewDivVVKern(d, a, b *float32, n int)

//go:noescape
func ewAddVSKern(d, a *float32, n int, s float32)

//go:noescape
func ewSubVSKern(d, a *float32, n int, s float32)

//go:noescape
func ewSubSVKern(d, a *float32, n int, s float32)

//go:noescape
func ewMulVSKern(d, a *float32, n int, s float32)

//go:noescape
func ewDivVSKern(d, a *float32, n int, s float32)

//go:noescape
func ewDivSVKern(d, a *float32, n int, s float32)

//go:noescape
func ewReluKern(d, a *float32, n int, s float32)

//go:noescape
func ewClampKern(d, a *float32, n int, lo, hi float32)

//go:noescape
func ewAffineKern(d, a *float32, n int, m, c float32)

//go:noescape
func ewHardSigmoidKern(d, a *float32, n int, alpha, beta float32)

//go:noescape
func ewHardSwishKern(d, a *float32, n int, alpha, beta float32)

func ewVV(k func(d, a, b *float32, n int)) func(d, a, b []float32) {
	return func(d, a, b []float32) {
		if n := len(d); n > 0 {
			_, _ = a[n-1], b[n-1]
			k(&d[0], &a[0], &b[0], n)
		}
	}
}

func ewVS(k func(d, a *float32, n int, s float32)) func(d, a []float32, s float32) {
	return func(d, a []float32, s float32) {
		if n := len(d); n > 0 {
			_ = a[n-1]
			k(&d[0], &a[0], n, s)
		}
	}
}

func ewVSS(k func(d, a *float32, n int, s, t float32)) func(d, a []float32, s, t float32) {
	return func(d, a []float32, s, t float32) {
		if n := len(d); n > 0 {
			_ = a[n-1]
			k(&d[0], &a[0], n, s, t)
		}
	}
}

func init() {
	if !nnHasAVX2FMA() {
		return
	}
	ewAddVV, ewSubVV = ewVV(ewAddVVKern), ewVV(ewSubVVKern)
	ewMulVV, ewDivVV = ewVV(ewMulVVKern), ewVV(ewDivVVKern)
	ewAddVS, ewSubVS, ewSubSV = ewVS(ewAddVSKern), ewVS(ewSubVSKern), ewVS(ewSubSVKern)
	ewMulVS, ewDivVS, ewDivSV = ewVS(ewMulVSKern), ewVS(ewDivVSKern), ewVS(ewDivSVKern)
	relu := ewVS(ewReluKern)
	ewRelu = func(d, a []float32) { relu(d, a, 0) }
	ewClamp, ewAffine = ewVSS(ewClampKern), ewVSS(ewAffineKern)
	ewHardSigmoid, ewHardSwish = ewVSS(ewHardSigmoidKern), ewVSS(ewHardSwishKern)
}
