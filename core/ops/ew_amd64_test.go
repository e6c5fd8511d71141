//go:build amd64 && !purego

package ops

import (
	"math"
	"testing"
)

func ewSameBits(t *testing.T, what string, n int, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s n=%d: element %d: AVX2 %v (%#x), pure Go %v (%#x)", what, n, i,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestEwAVX2MatchesPureGoBits: every AVX2 elementwise loop gives exactly
// the pure Go loop's bits (native and wasm outputs must not differ), for
// lengths around the 32/8/1 steps, unaligned starts, specials, and in
// place (d is a).
func TestEwAVX2MatchesPureGoBits(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2: only the pure Go loops run here")
	}
	vv := []struct {
		name      string
		asm, pure func(d, a, b []float32)
	}{
		{"addVV", ewVV(ewAddVVKern), ewAddVVGo}, {"subVV", ewVV(ewSubVVKern), ewSubVVGo},
		{"mulVV", ewVV(ewMulVVKern), ewMulVVGo}, {"divVV", ewVV(ewDivVVKern), ewDivVVGo},
	}
	vs := []struct {
		name      string
		asm, pure func(d, a []float32, s float32)
	}{
		{"addVS", ewVS(ewAddVSKern), ewAddVSGo}, {"subVS", ewVS(ewSubVSKern), ewSubVSGo},
		{"subSV", ewVS(ewSubSVKern), ewSubSVGo}, {"mulVS", ewVS(ewMulVSKern), ewMulVSGo},
		{"divVS", ewVS(ewDivVSKern), ewDivVSGo}, {"divSV", ewVS(ewDivSVKern), ewDivSVGo},
		{"relu", func(d, a []float32, _ float32) { ewVS(ewReluKern)(d, a, 0) }, func(d, a []float32, _ float32) { ewReluGo(d, a) }},
	}
	vss := []struct {
		name      string
		asm, pure func(d, a []float32, s, u float32)
	}{
		{"clamp", ewVSS(ewClampKern), ewClampGo}, {"affine", ewVSS(ewAffineKern), ewAffineGo},
		{"hardSigmoid", ewVSS(ewHardSigmoidKern), ewHardSigmoidGo},
		{"hardSwish", ewVSS(ewHardSwishKern), ewHardSwishGo},
	}
	scalars := append([]float32{0.2, -2.5, 1.0 / 6, 7}, ewSpecials...)
	lens := []int{0, 1, 7, 8, 9, 31, 32, 33, 40, 63, 64, 65, 100, 1000}
	for li, n := range lens {
		for off := 0; off < 3; off++ {
			a := ewData(n+off, uint32(11+li))[off:]
			b := ewData(n+off, uint32(97+li))[off:]
			for _, k := range vv {
				got, want := make([]float32, n), make([]float32, n)
				k.asm(got, a, b)
				k.pure(want, a, b)
				ewSameBits(t, k.name, n, got, want)
				copy(got, a) // in place
				k.asm(got, got, b)
				ewSameBits(t, k.name+" in place", n, got, want)
			}
			for si, s := range scalars {
				for _, k := range vs {
					got, want := make([]float32, n), make([]float32, n)
					k.asm(got, a, s)
					k.pure(want, a, s)
					ewSameBits(t, k.name, n, got, want)
				}
				u := scalars[(si*7+3)%len(scalars)]
				for _, k := range vss {
					for _, p := range [][2]float32{{s, u}, {0, 6}, {-1, 1}, {1.0 / 6, 0.5}} {
						got, want := make([]float32, n), make([]float32, n)
						k.asm(got, a, p[0], p[1])
						k.pure(want, a, p[0], p[1])
						ewSameBits(t, k.name, n, got, want)
						copy(got, a)
						k.asm(got, got, p[0], p[1])
						ewSameBits(t, k.name+" in place", n, got, want)
					}
				}
			}
		}
	}
}
