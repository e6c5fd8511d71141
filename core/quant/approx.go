package quant

import (
	"math"
)

// The DPU approximations of DPU-ARITHMETIC.md §3, each a pure function of
// exact values. The simulation evaluates them in float64, where every
// intermediate below is exact for int8 operands, and rounds once with
// DPU_ROUND at the output fix_pos.

// LeakyReluSlope is the DPU's only LeakyReLU slope, 26/256 (§3.1).
const LeakyReluSlope = 26.0 / 256

// LeakyReluOnDPU reports whether a LeakyRelu with this alpha runs on the
// DPU: alpha 0.1 (approximated by 26/256) or 26/256 itself. Other slopes
// stay in float on the CPU (TF2 behaviour, §3.1), with a warning.
func LeakyReluOnDPU(alpha float32) bool {
	return alpha == float32(0.1) || alpha == float32(LeakyReluSlope)
}

// leakyReluDPU is x for x >= 0, x·26/256 otherwise (§3.1).
func leakyReluDPU(x float64) float64 {
	if x < 0 {
		return x * LeakyReluSlope
	}
	return x
}

// Hard-sigmoid constants (§3.2): 1/6 is replaced by 2731/2^14.
const (
	HardSigmoidMul   = 2731
	HardSigmoidShift = 14
	// HardSigmoidAlpha and HardSigmoidBeta are the ONNX HardSigmoid
	// attributes that compute the DPU form: alpha·x+beta clipped to [0,1]
	// equals relu6(x+3)·2731/2^14 wherever the latter is <= 1; above that
	// the output fix_pos >= 7 saturates both to 127/128 (§3.2).
	HardSigmoidAlpha = float32(2731.0 / 16384)
	HardSigmoidBeta  = float32(3 * 2731.0 / 16384)
	// HardSigmoidMinOutFixPos is the constraint fo >= 7 (§3.2).
	HardSigmoidMinOutFixPos = 7
	// HardSwishSigmoidFixPos is the fix_pos of hard-swish's internal
	// sigmoid (§3.3 step 2).
	HardSwishSigmoidFixPos = 7
)

// HardSigmoidOnDPU reports whether an ONNX HardSigmoid (alpha, beta) is the
// hard-sigmoid the DPU approximates, relu6(x+3)/6. Others (PaddleOCR's
// alpha 0.2) stay in float on the CPU.
func HardSigmoidOnDPU(alpha, beta float32) bool {
	return math.Abs(float64(alpha)-1.0/6) < 1e-6 && math.Abs(float64(beta)-0.5) < 1e-6
}

// hardSigmoidDPU is relu6(x+3)·2731/2^14 (§3.2, XIR hard-sigmoid-fix).
func hardSigmoidDPU(x float64) float64 {
	// relu6 written out: the same values as min(max(x+3, 0), 6), NaN
	// included (x+3 is never -0), without the builtins' NaN and ±0 checks.
	v := x + 3
	if v < 0 {
		v = 0
	} else if v > 6 {
		v = 6
	}
	return v * HardSigmoidMul / (1 << HardSigmoidShift)
}

// hardSwishDPU is §3.3: h = hardSigmoidDPU(x) quantized to fix_pos 7 with
// DPU_ROUND and saturation, then x·h (the caller rounds to the output).
// It is DequantizeValue(QuantizeValue(h, 7, RoundDPU), 7) written with
// plain multiplications, which are exact here (h is NaN or in [0, 1.0002],
// never subnormal: the smallest nonzero x+3 of a float32 x is 2^-22), and
// several times faster than math.Ldexp in the simulator's hottest loop.
func hardSwishDPU(x float64) float64 {
	const s = 1 << HardSwishSigmoidFixPos
	return x * (saturate(math.Floor(hardSigmoidDPU(x)*s+0.5)) / s)
}

// AvgPoolMultiplier returns N and M with N/2^M ≈ 1/(kh·kw), the DPU's
// reciprocal for an average pool (§3.4): the special table for square
// kernels 3, 5, 6, 7 and 14, otherwise AvgReciprocal(kh·kw).
// vai_q_pytorch's [3,6]/[6,3] entries are a bug (§3.4 quirks) and are not
// copied: those windows are searched like any other.
func AvgPoolMultiplier(kh, kw int) (n, m int) {
	if kh == kw {
		switch kh {
		case 3:
			return 7, 6
		case 5:
			return 10, 8
		case 6:
			return 7, 8
		case 7:
			return 21, 10
		case 14:
			return 21, 12
		}
	}
	return AvgReciprocal(kh * kw)
}

// AvgReciprocal is the search of §3.4 for a window of rec elements: for s
// in 0 … ceil(log2(rec·128))-1, N_s = round(2^s/rec); the s with the least
// |N_s/2^s - 1/rec| wins, the smallest s on ties. It is also the rule for
// ReduceMean over H and W (§3.5, PT mean.py uses the search only).
func AvgReciprocal(rec int) (n, m int) {
	if rec <= 1 {
		return 1, 0
	}
	limit := int(math.Ceil(math.Log2(float64(rec) * 128)))
	best := math.Inf(1)
	for s := 0; s < limit; s++ {
		ns := math.Round(math.Ldexp(1, s) / float64(rec))
		if e := math.Abs(math.Ldexp(ns, -s) - 1/float64(rec)); e < best {
			best, n, m = e, int(ns), s
		}
	}
	return n, m
}

// avgGain is N·rec/2^M, the factor between the DPU's average and the
// exact one (§3.4 "effective gain").
func avgGain(n, m, rec int) float64 { return math.Ldexp(float64(n*rec), -m) }
