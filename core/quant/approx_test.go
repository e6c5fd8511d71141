package quant

import (
	"math"
	"testing"
)

func TestAvgPoolMultiplierTable(t *testing.T) {
	// Both tables of DPU-ARITHMETIC.md §3.4.
	cases := []struct{ k, n, m int }{
		{3, 7, 6}, {5, 10, 8}, {6, 7, 8}, {7, 21, 10}, {14, 21, 12},
		{1, 1, 0}, {2, 1, 2}, {4, 1, 4}, {8, 1, 6}, {16, 1, 8},
		{9, 101, 13}, {10, 41, 12}, {11, 17, 11}, {12, 57, 13}, {13, 97, 14},
		{15, 73, 14}, {19, 91, 15}, {20, 41, 14}, {28, 21, 14},
	}
	for _, c := range cases {
		n, m := AvgPoolMultiplier(c.k, c.k)
		if n != c.n || m != c.m {
			t.Errorf("%dx%d: N/2^M = %d/2^%d, want %d/2^%d", c.k, c.k, n, m, c.n, c.m)
		}
	}
	// Not copied: PT's [3,6] bug; CPUTASK searches 3x6 to N=57, M=10 (§3.4).
	if n, m := AvgPoolMultiplier(3, 6); n != 57 || m != 10 {
		t.Errorf("3x6: %d/2^%d, want 57/2^10", n, m)
	}
	// Gains printed in §3.4: 3x3 0.984375, 7x7 1.004883.
	if g := avgGain(7, 6, 9); g != 0.984375 {
		t.Errorf("3x3 gain %v", g)
	}
	if g := avgGain(21, 10, 49); math.Abs(g-1.004883) > 1e-6 {
		t.Errorf("7x7 gain %v", g)
	}
}

func TestLeakyReluRule(t *testing.T) {
	if !LeakyReluOnDPU(0.1) || !LeakyReluOnDPU(0.1015625) || LeakyReluOnDPU(0.2) || LeakyReluOnDPU(0.01) {
		t.Error("LeakyReluOnDPU: only 0.1 and 26/256 run on the DPU (§3.1)")
	}
	// §3.1: slope 26/256 = 0.1015625.
	if g := leakyReluDPU(-2); g != -0.203125 {
		t.Errorf("leaky(-2) = %v, want -0.203125", g)
	}
	if g := leakyReluDPU(3); g != 3 {
		t.Errorf("leaky(3) = %v", g)
	}
}

func TestHardSigmoidRule(t *testing.T) {
	// §3.2: relu6(x+3)·2731/16384.
	cases := []struct{ x, want float64 }{
		{0, 3 * 2731.0 / 16384},  // 0.50006103515625
		{-3, 0},                  // relu6 floor
		{-5, 0},                  //
		{3, 6 * 2731.0 / 16384},  // 1.00012207..., above 1: saturates at fo >= 7
		{10, 6 * 2731.0 / 16384}, // relu6 ceiling
		{1.5, 4.5 * 2731.0 / 16384},
	}
	for _, c := range cases {
		if g := hardSigmoidDPU(c.x); g != c.want {
			t.Errorf("hsigmoid(%v) = %v, want %v", c.x, g, c.want)
		}
	}
	// The ONNX attributes give the same values wherever <= 1.
	for _, x := range []float64{-3, -1, 0, 0.5, 2.9} {
		onnx := min(max(float64(HardSigmoidAlpha)*x+float64(HardSigmoidBeta), 0), 1)
		if math.Abs(onnx-hardSigmoidDPU(x)) > 1e-12 {
			t.Errorf("x=%v: ONNX form %v, DPU form %v", x, onnx, hardSigmoidDPU(x))
		}
	}
	if !HardSigmoidOnDPU(1.0/6, 0.5) || HardSigmoidOnDPU(0.2, 0.5) {
		t.Error("HardSigmoidOnDPU: want (1/6, 0.5) only")
	}
	// §6 item 6, integer form with fi = 4, fo = 7, x_q = 8 (x = 0.5):
	// t = 8·2731 + 3·2731·16 = 152936; y = DPU_ROUND(152936 / 2^(14+4-7))
	// = DPU_ROUND(74.67) = 75.
	x := 0.5
	if q := QuantizeValue(hardSigmoidDPU(x), 7, RoundDPU); q != 75 {
		t.Errorf("hsigmoid int form: %d, want 75", q)
	}
}

func TestHardSwishRule(t *testing.T) {
	// §3.3 / §6 item 7, fi = 4, fo = 4, x_q = 8 (x = 0.5):
	// h_q = 75 (see TestHardSigmoidRule); y = DPU_ROUND(8·75 / 2^(4+7-4))
	// = DPU_ROUND(4.6875) = 5.
	if q := QuantizeValue(hardSwishDPU(0.5), 4, RoundDPU); q != 5 {
		t.Errorf("hswish int form: %d, want 5", q)
	}
	// x = 4: h = relu6(7)·2731/16384 = 1.0001 -> fp 7 saturates to 127;
	// y = 4·127/128 = 3.96875.
	if g := hardSwishDPU(4); g != 3.96875 {
		t.Errorf("hswish(4) = %v, want 3.96875", g)
	}
	if g := hardSwishDPU(-4); g != 0 {
		t.Errorf("hswish(-4) = %v, want 0", g)
	}
}

// TestHardSwishMatchesLdexpForm: the multiply form of hardSwishDPU gives
// the bits of x·Dequantize(Quantize(hardSigmoid(x), 7)) (math.Ldexp, the
// builtin min/max relu6; hardSigmoidDPU too) for
// every float32 x near the interesting range, extremes and NaN included.
func TestHardSwishMatchesLdexpForm(t *testing.T) {
	sig := func(x float64) float64 { return min(max(x+3, 0), 6) * HardSigmoidMul / (1 << HardSigmoidShift) }
	ref := func(x float64) float64 {
		q := QuantizeValue(sig(x), HardSwishSigmoidFixPos, RoundDPU)
		return x * DequantizeValue(q, HardSwishSigmoidFixPos)
	}
	check := func(x float32) {
		if g, w := hardSigmoidDPU(float64(x)), sig(float64(x)); math.Float64bits(g) != math.Float64bits(w) && !(math.IsNaN(g) && math.IsNaN(w)) {
			t.Fatalf("hardSigmoidDPU(%g) = %g, builtin min/max form %g", x, g, w)
		}
		got, want := hardSwishDPU(float64(x)), ref(float64(x))
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("hardSwishDPU(%g) = %g, Ldexp form %g", x, got, want)
		}
	}
	// Every 4099th float32 of [-4, 4], and the float32 neighbours of each
	// rounding boundary of the fp-7 sigmoid (h·128 = k + 0.5).
	for b := math.Float32bits(-4); b > 1<<31; b -= 4099 { // down to -0
		check(math.Float32frombits(b))
	}
	for b := uint32(0); b < math.Float32bits(4); b += 4099 {
		check(math.Float32frombits(b))
	}
	for k := 0; k <= 128; k++ {
		x := float32((float64(k)+0.5)/128*(1<<HardSigmoidShift)/HardSigmoidMul - 3)
		for d := -3; d <= 3; d++ {
			check(math.Float32frombits(uint32(int32(math.Float32bits(x)) + int32(d))))
		}
	}
	for _, x := range []float32{-3, -3 + 1.0/(1<<22), 3, -0.0, 0, 1e-45, -1e-45, math.MaxFloat32, -math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
		check(x)
	}
}
