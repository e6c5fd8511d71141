package ops

// Elementwise float32 loops shared by the math kernels (Add, Sub, Mul,
// Div, Relu, Clip, HardSigmoid, HardSwish, BatchNormalization). These pure
// Go loops define the results; an assembly file may replace the function
// variables at init with vector versions that give the same bits (the
// same IEEE single-precision operations in the same order, no FMA), which
// a test asserts. Each takes len(d) elements; the inputs must be at least
// that long, and d may be the same slice as an input (not a shifted one).
// Explicit float32 conversions keep the compiler from fusing a multiply
// and an add (Go may fuse x*y+z into an FMA on some targets).

var (
	ewAddVV = ewAddVVGo // d = a + b
	ewSubVV = ewSubVVGo // d = a - b
	ewMulVV = ewMulVVGo // d = a * b
	ewDivVV = ewDivVVGo // d = a / b
	ewAddVS = ewAddVSGo // d = a + s
	ewSubVS = ewSubVSGo // d = a - s
	ewSubSV = ewSubSVGo // d = s - a
	ewMulVS = ewMulVSGo // d = a * s
	ewDivVS = ewDivVSGo // d = a / s
	ewDivSV = ewDivSVGo // d = s / a
	// ewRelu is d = a < 0 ? 0 : a (NaN and -0 pass through).
	ewRelu = ewReluGo
	// ewClamp is v = a < lo ? lo : a; d = v > hi ? hi : v (NaN passes).
	ewClamp = ewClampGo
	// ewAffine is d = a*m + c, rounded after the product.
	ewAffine = ewAffineGo
	// ewHardSigmoid is y = alpha*a + beta clamped to [0, 1] like ewClamp.
	ewHardSigmoid = ewHardSigmoidGo
	// ewHardSwish is d = a * hardsigmoid(a; alpha, beta).
	ewHardSwish = ewHardSwishGo
)

func ewAddVVGo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = a[i] + b[i]
	}
}

func ewSubVVGo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = a[i] - b[i]
	}
}

func ewMulVVGo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = a[i] * b[i]
	}
}

func ewDivVVGo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = a[i] / b[i]
	}
}

func ewAddVSGo(d, a []float32, s float32) {
	a = a[:len(d)]
	for i := range d {
		d[i] = a[i] + s
	}
}

func ewSubVSGo(d, a []float32, s float32) {
	a = a[:len(d)]
	for i := range d {
		d[i] = a[i] - s
	}
}

func ewSubSVGo(d, a []float32, s float32) {
	a = a[:len(d)]
	for i := range d {
		d[i] = s - a[i]
	}
}

func ewMulVSGo(d, a []float32, s float32) {
	a = a[:len(d)]
	for i := range d {
		d[i] = a[i] * s
	}
}

func ewDivVSGo(d, a []float32, s float32) {
	a = a[:len(d)]
	for i := range d {
		d[i] = a[i] / s
	}
}

func ewDivSVGo(d, a []float32, s float32) {
	a = a[:len(d)]
	for i := range d {
		d[i] = s / a[i]
	}
}

func ewReluGo(d, a []float32) {
	a = a[:len(d)]
	for i, v := range a {
		if v < 0 {
			v = 0
		}
		d[i] = v
	}
}

func ewClampGo(d, a []float32, lo, hi float32) {
	a = a[:len(d)]
	for i, v := range a {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		d[i] = v
	}
}

func ewAffineGo(d, a []float32, m, c float32) {
	a = a[:len(d)]
	for i, v := range a {
		d[i] = float32(v*m) + c
	}
}

func ewHardSigmoidGo(d, a []float32, alpha, beta float32) {
	a = a[:len(d)]
	for i, v := range a {
		d[i] = hardSigmoidOf(v, alpha, beta)
	}
}

func ewHardSwishGo(d, a []float32, alpha, beta float32) {
	a = a[:len(d)]
	for i, v := range a {
		d[i] = v * hardSigmoidOf(v, alpha, beta)
	}
}

// The float32 rows of the broadcasting binary ops (see bcRowFn): as and
// bs are 1 (a vector) or 0 (a scalar), never both 0. s+b and s*b are the
// same IEEE operations as b+s and b*s.

func addRowF32(d, a, b []float32, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		ewAddVV(d, a, b)
	case bs == 0:
		ewAddVS(d, a, b[0])
	default:
		ewAddVS(d, b, a[0])
	}
}

func subRowF32(d, a, b []float32, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		ewSubVV(d, a, b)
	case bs == 0:
		ewSubVS(d, a, b[0])
	default:
		ewSubSV(d, b, a[0])
	}
}

func mulRowF32(d, a, b []float32, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		ewMulVV(d, a, b)
	case bs == 0:
		ewMulVS(d, a, b[0])
	default:
		ewMulVS(d, b, a[0])
	}
}

func divRowF32(d, a, b []float32, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		ewDivVV(d, a, b)
	case bs == 0:
		ewDivVS(d, a, b[0])
	default:
		ewDivSV(d, b, a[0])
	}
}
