package quant

import (
	"math"
)

// Signed 8-bit range, [-128, 127], not narrowed (DPU-ARITHMETIC.md §1.1).
const (
	QMin = -128
	QMax = 127
	// MaxFixPos caps every fix_pos for bit widths <= 8 (§1.3 item 4).
	MaxFixPos = 12
	// ZeroFixPos is the maxmin position of an all-zero tensor (§1.3 item 1).
	ZeroFixPos = 18
	// DiffsScope is the number of candidates of the diffs search (§1.3 item 3).
	DiffsScope = 5
)

// flt32Min is C's FLT_MIN, the threshold below which a tensor counts as
// all zero in the maxmin rule (§1.3 item 1).
const flt32Min = 1.17549435e-38

// RoundMode is a rounding rule for x·2^fp (§1.2).
type RoundMode int

const (
	// RoundDPU is DPU_ROUND ("half_up"): floor(x+0.5), ties toward +inf.
	// It is used for activations and model inputs.
	RoundDPU RoundMode = iota
	// RoundStd is std::round: ties away from zero. It is used for weights
	// and biases (vai_q_pytorch, §1.2 table).
	RoundStd
)

func (r RoundMode) String() string {
	if r == RoundStd {
		return "STD_ROUND"
	}
	return "DPU_ROUND"
}

// DPURound is floor(x+0.5): 2.5 -> 3, -2.5 -> -2 (§1.2). For any float32
// value widened to float64 the addition is exact, so this is exactly the
// XIR DPU_ROUND of a float32 operand.
func DPURound(x float64) float64 { return math.Floor(x + 0.5) }

// StdRound is C's round: ties away from zero, 2.5 -> 3, -2.5 -> -3 (§1.2).
func StdRound(x float64) float64 { return math.Round(x) }

func (r RoundMode) round(x float64) float64 {
	if r == RoundStd {
		return math.Round(x)
	}
	return math.Floor(x + 0.5)
}

// saturate clamps a rounded value to [-128, 127]. NaN maps to 0 (a NaN
// activation has no int8 code; fixq chooses 0 and documents it in doc.go).
func saturate(v float64) float64 {
	if v != v {
		return 0
	}
	if v < QMin {
		return QMin
	}
	if v > QMax {
		return QMax
	}
	return v
}

// QuantizeValue is sat(round(x·2^fp)) (XIR fix / float2fix, §1.1).
func QuantizeValue(x float64, fp int, r RoundMode) int8 {
	return int8(saturate(r.round(math.Ldexp(x, fp))))
}

// DequantizeValue is q·2^-fp.
func DequantizeValue(q int8, fp int) float64 { return math.Ldexp(float64(q), -fp) }

// FakeQuantize writes dequantize(quantize(src)) to dst (same length), the
// simulation of one quantization point.
func FakeQuantize(dst, src []float32, fp int, r RoundMode) {
	scale := math.Ldexp(1, fp)
	inv := math.Ldexp(1, -fp)
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = float32(saturate(r.round(float64(x)*scale)) * inv)
	}
}

// MaxMinFixPos is the non-overflow position with vai_q_pytorch's 0.5 guard
// band (§1.3 item 1): step = max(xmin/-128.5, xmax/127.5), fp =
// floor(log2(1/step)), 18 for an all-zero (or empty) tensor. The step and
// its reciprocal are computed in float32 as torch does; log2 is rounded to
// float32 before the floor for the same reason. NaN and ±Inf elements are
// ignored. The cap (MaxFixPos) is applied by the callers, not here.
func MaxMinFixPos(data []float32) int {
	fp, _ := maxMinFixPos(data)
	return fp
}

// maxMinFixPos is MaxMinFixPos that also reports whether every element
// is finite.
func maxMinFixPos(data []float32) (fp int, finite bool) {
	var xmin, xmax float32
	finite = true
	for _, x := range data {
		if x-x != 0 { // NaN or ±Inf
			finite = false
			continue
		}
		xmin = min(xmin, x)
		xmax = max(xmax, x)
	}
	step := max(xmin/float32(QMin-0.5), xmax/float32(QMax+0.5))
	if step <= flt32Min {
		return ZeroFixPos, finite
	}
	inv := 1 / step
	return int(math.Floor(float64(float32(math.Log2(float64(inv)))))), finite
}

// squaredErrorBelow is squaredError, but it may stop early and return a
// value >= limit once the running sum reaches limit (the sum only grows),
// so the diffs search skips most of a losing candidate.
func squaredErrorBelow(data []float32, fp int, r RoundMode, finite bool, limit float64) float64 {
	const chunk = 4096
	var s float64
	for len(data) > 0 && s < limit {
		n := min(chunk, len(data))
		s += squaredError(data[:n], fp, r, finite)
		data = data[n:]
	}
	return s
}

// squaredError is Σ(DequantizeValue(QuantizeValue(x))-x)² in float64 over the finite elements.
// The loops are specialised by rounding mode and finiteness: this is the
// calibration's hot loop (5 passes per activation per batch).
func squaredError(data []float32, fp int, r RoundMode, finite bool) float64 {
	scale := math.Ldexp(1, fp)
	inv := math.Ldexp(1, -fp)
	var s float64
	switch {
	case finite && r == RoundDPU:
		for _, x := range data {
			xf := float64(x)
			v := math.Floor(xf*scale + 0.5)
			v = min(max(v, QMin), QMax)
			d := v*inv - xf
			s += d * d
		}
	case finite:
		for _, x := range data {
			xf := float64(x)
			v := min(max(math.Round(xf*scale), QMin), QMax)
			d := v*inv - xf
			s += d * d
		}
	default:
		for _, x := range data {
			if x-x != 0 {
				continue
			}
			xf := float64(x)
			d := saturate(r.round(xf*scale))*inv - xf
			s += d * d
		}
	}
	return s
}

// SearchFixPos chooses a fix_pos for data: the maxmin position m, then the
// candidate in m … m+scope-1 with the smallest squared quantization error
// under rounding r; the strict < keeps the smaller fp on ties (§1.3 item
// 2). scope 1 is "maxmin", scope 5 "diffs". The result is capped at
// MaxFixPos (§1.3 item 4).
func SearchFixPos(data []float32, scope int, r RoundMode) int {
	m, finite := maxMinFixPos(data)
	best := m
	if scope > 1 {
		bestErr := math.Inf(1)
		for fp := m; fp < m+scope; fp++ {
			if e := squaredErrorBelow(data, fp, r, finite, bestErr); e < bestErr {
				best, bestErr = fp, e
			}
		}
	}
	return min(best, MaxFixPos)
}

// fpHistogram counts the per-batch fix_pos of one activation (§1.3 item 5).
type fpHistogram struct {
	counts map[int]int
}

func (h *fpHistogram) add(fp int) {
	if h.counts == nil {
		h.counts = map[int]int{}
	}
	h.counts[fp]++
}

// mode is the most frequent fix_pos, the smallest on ties (scipy.stats.mode,
// §1.3 item 5). ok is false when nothing was added.
func (h *fpHistogram) mode() (fp int, ok bool) {
	bestN := 0
	for v, n := range h.counts {
		if n > bestN || (n == bestN && v < fp) {
			fp, bestN = v, n
		}
	}
	return fp, bestN > 0
}
