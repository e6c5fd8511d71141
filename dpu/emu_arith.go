package dpu

import "math"

// sat8 saturates to the int8 range [-128, 127] (§1.1).
func sat8(v int64) int8 {
	if v > 127 {
		return 127
	}
	if v < -128 {
		return -128
	}
	return int8(v)
}

// roundShift is sat8(DPU_ROUND(v / 2^s)) with DPU_ROUND(x) = floor(x+0.5)
// (ties toward +inf, §1.2); s < 0 multiplies by 2^-s (exact, saturating).
// floor((v + 2^(s-1)) / 2^s) is the arithmetic right shift of v + 2^(s-1).
func roundShift(v int64, s int) int8 {
	switch {
	case s > 0:
		if s > 62 {
			return 0 // |v / 2^s| < 1/2 for any int64 v below 2^61
		}
		return sat8((v + 1<<(s-1)) >> s)
	case s < 0:
		if v == 0 {
			return 0
		}
		if s < -8 {
			if v > 0 {
				return 127
			}
			return -128
		}
		return sat8(v << -s)
	}
	return sat8(v)
}

// quantizeF is the runtime's float -> int8 conversion (float2fix, §3.12):
// sat8(DPU_ROUND(x·2^fp)) computed in float64 from the float32 value, so
// there is no double rounding; NaN becomes 0 (the simulation's choice).
// scale is 2^fp.
func quantizeF(x float32, scale float64) int8 {
	v := math.Floor(float64(x)*scale + 0.5)
	switch {
	case v != v:
		return 0
	case v > 127:
		return 127
	case v < -128:
		return -128
	}
	return int8(v)
}

// quantizeF64 is quantizeF of an exact float64 value.
func quantizeF64(x, scale float64) int8 {
	v := math.Floor(x*scale + 0.5)
	switch {
	case v != v:
		return 0
	case v > 127:
		return 127
	case v < -128:
		return -128
	}
	return int8(v)
}

// actKind is an activation applied in the accumulator domain (§2.1 step 3).
type actKind int

const (
	actNone  actKind = iota
	actRelu          // max(x, 0)
	actRelu6         // clamp(x, 0, 6)
	actLeaky         // x < 0 ? x·26/256 : x (§3.1)
)

func (a actKind) String() string {
	return [...]string{"none", "relu", "relu6", "leaky_relu_26/256"}[a]
}

// requant turns an exact value V·2^-E (int64 V, E >= 0) into int8 at fo
// after an activation: relu and relu6 clamp V (6 is 6·2^E), leaky takes
// V·256 or V·26 and E+8, i.e. x·26/256 for x < 0 computed exactly; then
// one DPU_ROUND (§2.1 step 4, §6 item 3). E >= 0 keeps 6·2^E an integer.
func requant(v int64, e int, act actKind, fo int) int8 {
	switch act {
	case actRelu:
		v = max(v, 0)
	case actRelu6:
		v = min(max(v, 0), 6<<e)
	case actLeaky:
		if v < 0 {
			v *= 26
		} else {
			v <<= 8
		}
		e += 8
	}
	return roundShift(v, e-fo)
}
