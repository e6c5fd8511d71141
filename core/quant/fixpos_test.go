package quant

import (
	"math"
	"testing"
)

// Expected values in this file are worked by hand from DPU-ARITHMETIC.md
// §1.1-1.3 (each row says how), not taken from fixq's output.

func TestRounding(t *testing.T) {
	cases := []struct {
		x        float64
		dpu, std float64
	}{
		{2.5, 3, 3},    // §1.2 table
		{-2.5, -2, -3}, // §1.2 table: DPU ties go up, std away from zero
		{0.5, 1, 1},
		{-0.5, 0, -1},
		{1.4999999, 1, 1},
		{-1.5000001, -2, -2},
		{0.49999997019767761, 0, 0}, // largest float32 below 0.5: no double rounding
	}
	for _, c := range cases {
		if g := DPURound(c.x); g != c.dpu {
			t.Errorf("DPURound(%v) = %v, want %v", c.x, g, c.dpu)
		}
		if g := StdRound(c.x); g != c.std {
			t.Errorf("StdRound(%v) = %v, want %v", c.x, g, c.std)
		}
	}
}

func TestQuantizeValue(t *testing.T) {
	cases := []struct {
		x    float64
		fp   int
		r    RoundMode
		want int8
	}{
		{1.0, 7, RoundDPU, 127},       // 128 saturates to 127 (§1.1)
		{-1.0, 7, RoundDPU, -128},     // -128 is in range (not narrow)
		{-2.0, 7, RoundDPU, -128},     // saturates
		{1.5 / 128, 7, RoundDPU, 2},   // 1.5 -> 2
		{-1.5 / 128, 7, RoundDPU, -1}, // -1.5 -> -1 (ties toward +inf)
		{-1.5 / 128, 7, RoundStd, -2}, // -1.5 -> -2 (away from zero)
		{3.0, -1, RoundDPU, 2},        // 3·2^-1 = 1.5 -> 2
		{100, 0, RoundDPU, 100},
		{math.NaN(), 4, RoundDPU, 0}, // doc.go: NaN -> 0
		{math.Inf(1), 4, RoundDPU, 127},
	}
	for _, c := range cases {
		if g := QuantizeValue(c.x, c.fp, c.r); g != c.want {
			t.Errorf("QuantizeValue(%v, fp %d, %v) = %d, want %d", c.x, c.fp, c.r, g, c.want)
		}
	}
	if g := DequantizeValue(-128, 7); g != -1 {
		t.Errorf("DequantizeValue(-128, 7) = %v, want -1", g)
	}
	if g := DequantizeValue(3, -2); g != 12 {
		t.Errorf("DequantizeValue(3, -2) = %v, want 12", g)
	}
}

func TestFakeQuantize(t *testing.T) {
	src := []float32{0.3, -0.3, 10, -10, 0.0234375}
	dst := make([]float32, len(src))
	FakeQuantize(dst, src, 4, RoundDPU)
	// 0.3·16 = 4.8 -> 5 -> 0.3125; -4.8 -> -5;
	// 160 -> 127 -> 7.9375; -160 -> -128 -> -8; 0.375 -> 0 (0.0234375·16 = 0.375).
	want := []float32{0.3125, -0.3125, 7.9375, -8, 0}
	for i := range want {
		if dst[i] != want[i] {
			t.Errorf("FakeQuantize[%d] = %v, want %v", i, dst[i], want[i])
		}
	}
}

func TestMaxMinFixPos(t *testing.T) {
	cases := []struct {
		name string
		data []float32
		want int
	}{
		{"1.0: 127.5/1 -> log2 6.99", []float32{1.0, 0.2}, 6},
		{"127.5/128 exactly: log2(128) = 7", []float32{0.99609375}, 7},
		{"slightly above 127.5/128", []float32{0.9961}, 6},
		{"-1: 128.5 -> 7", []float32{-1.0, 0.5}, 7},
		{"-128.5/128: exactly 128 -> 7", []float32{-1.00390625}, 7},
		{"100: 1.275 -> 0", []float32{100}, 0},
		{"200: 0.6375 -> -1", []float32{200, -3}, -1},
		{"all zero -> 18 (§1.3)", []float32{0, 0, 0}, 18},
		{"empty -> 18", nil, 18},
		{"NaN and Inf ignored", []float32{float32(math.NaN()), float32(math.Inf(-1)), 1.0}, 6},
		{"0.001: 127500 -> 16 (uncapped here)", []float32{0.001}, 16},
	}
	for _, c := range cases {
		if g := MaxMinFixPos(c.data); g != c.want {
			t.Errorf("%s: MaxMinFixPos = %d, want %d", c.name, g, c.want)
		}
	}
}

func TestSearchFixPos(t *testing.T) {
	// One outlier 1.0 and ten values 0.1. maxmin = 6. Squared errors:
	// fp6: 0.1·64 = 6.4 -> 6, error 0.00625² · 10 = 3.9e-4 (1.0 exact);
	// fp7: 1.0 -> 127/128, 6.1e-5; 0.1·128 = 12.8 -> 13, 0.0015625² · 10 =
	// 2.4e-5; total 8.5e-5 (smallest); fp8: 1.0 -> 127/256, 0.254 (worse).
	data := []float32{1.0}
	for i := 0; i < 10; i++ {
		data = append(data, 0.1)
	}
	if g := SearchFixPos(data, 1, RoundDPU); g != 6 {
		t.Errorf("maxmin = %d, want 6", g)
	}
	if g := SearchFixPos(data, DiffsScope, RoundDPU); g != 7 {
		t.Errorf("diffs = %d, want 7", g)
	}
	// All zero: 18, every candidate has error 0, the strict < keeps 18,
	// then the cap gives 12 (§1.3 items 1, 2, 4).
	if g := SearchFixPos([]float32{0, 0}, DiffsScope, RoundDPU); g != MaxFixPos {
		t.Errorf("all-zero diffs = %d, want %d", g, MaxFixPos)
	}
	if g := SearchFixPos([]float32{0.001}, 1, RoundStd); g != 12 {
		t.Errorf("cap: got %d, want 12", g)
	}
	// {1.0, 0.2}: fp6 has error (13/64-0.2)² ≈ 9.8e-6, fp7 saturates 1.0
	// (6.1e-5): maxmin's 6 stays.
	if g := SearchFixPos([]float32{1.0, 0.2}, DiffsScope, RoundDPU); g != 6 {
		t.Errorf("diffs {1, 0.2} = %d, want 6", g)
	}
}

func TestFixPosMode(t *testing.T) {
	cases := []struct {
		fps  []int
		want int
	}{
		{[]int{3, 5, 5, 3}, 3}, // tie -> smallest (scipy.stats.mode)
		{[]int{7, 6, 7}, 7},
		{[]int{-2}, -2},
		{[]int{4, -1, 9, 9, -1}, -1},
	}
	for _, c := range cases {
		var h fpHistogram
		for _, fp := range c.fps {
			h.add(fp)
		}
		if g, ok := h.mode(); !ok || g != c.want {
			t.Errorf("mode(%v) = %d, %v; want %d", c.fps, g, ok, c.want)
		}
	}
	var h fpHistogram
	if _, ok := h.mode(); ok {
		t.Error("mode of nothing: ok = true")
	}
}
