package train

import (
	"fmt"
	"math"
)

// Round is a rounding rule for x·2^fp (DPU-ARITHMETIC.md §1.2).
type Round int

const (
	// RoundDPU is DPU_ROUND, floor(v+0.5): activations and model inputs.
	RoundDPU Round = iota
	// RoundStd is std::round, ties away from zero: weights and biases.
	RoundStd
)

// Signed int8 range (§1.1).
const (
	qMin = -128
	qMax = 127
)

// Point is one quantized tensor: int8 with fix_pos FixPos (real value
// q·2^-FixPos), rounded with Round and saturated to [-128, 127].
type Point struct {
	FixPos int
	Round  Round
}

// Approx names a DPU approximation of a node (§3), which the quantized
// forward pass computes instead of the exact ONNX op.
type Approx int

const (
	ApproxNone Approx = iota
	// ApproxLeakyRelu: slope 26/256 (§3.1).
	ApproxLeakyRelu
	// ApproxHardSigmoid: relu6(x+3)·2731/2^14 (§3.2).
	ApproxHardSigmoid
	// ApproxHardSwish: x · q7(relu6(x+3)·2731/2^14), the inner factor
	// quantized at fix_pos 7 (§3.3).
	ApproxHardSwish
	// ApproxAvgPool: the exact average times Gain = N·window/2^M (§3.4).
	ApproxAvgPool
)

// NodeApprox is the approximation of one node.
type NodeApprox struct {
	Approx Approx
	// Gain is the factor of ApproxAvgPool.
	Gain float64
}

// Spec describes where a model is quantized: the plan of core/quant
// reduced to what training needs. A tensor in Points is fake-quantized
// where it is produced (activations, model inputs) or before it is used
// (initializers: weights, biases, constants). Data-movement outputs that
// inherit their input's fix_pos need no entry (quantizing them again
// changes nothing). A nil *Spec means the float model.
type Spec struct {
	Points map[string]Point
	Nodes  map[string]NodeApprox
}

// Clone copies s (nil stays nil).
func (s *Spec) Clone() *Spec {
	if s == nil {
		return nil
	}
	c := &Spec{Points: make(map[string]Point, len(s.Points)), Nodes: make(map[string]NodeApprox, len(s.Nodes))}
	for k, v := range s.Points {
		c.Points[k] = v
	}
	for k, v := range s.Nodes {
		c.Nodes[k] = v
	}
	return c
}

func (s *Spec) point(name string) (Point, bool) {
	if s == nil {
		return Point{}, false
	}
	p, ok := s.Points[name]
	return p, ok
}

func (s *Spec) approx(node string) NodeApprox {
	if s == nil {
		return NodeApprox{}
	}
	return s.Nodes[node]
}

func (p Point) validate(name string) error {
	if p.FixPos < -64 || p.FixPos > 64 {
		return fmt.Errorf("train: point %q has fix_pos %d outside [-64, 64]", name, p.FixPos)
	}
	if p.Round != RoundDPU && p.Round != RoundStd {
		return fmt.Errorf("train: point %q has an unknown rounding %d", name, p.Round)
	}
	return nil
}

// round applies the rule to v.
func (r Round) round(v float64) float64 {
	if r == RoundStd {
		return math.Round(v)
	}
	return math.Floor(v + 0.5)
}

// fakeQuant writes dequantize(quantize(src)) to dst (same length), in
// float64 like core/quant's simulator: sat(round(x·2^fp))·2^-fp; NaN
// becomes 0. If mask is not nil it receives the straight-through
// estimator's gradient gate: 1 where x·2^fp lies inside the clamp range
// [-128, 127], 0 outside (and for NaN). dst may be src.
func fakeQuant(dst, src []float32, p Point, mask []uint8) {
	scale, inv := math.Ldexp(1, p.FixPos), math.Ldexp(1, -p.FixPos)
	src = src[:len(dst)]
	if mask != nil {
		mask = mask[:len(dst)]
	}
	std := p.Round == RoundStd
	for i, x := range src {
		v := float64(x) * scale
		var q float64
		if std {
			q = math.Round(v)
		} else {
			q = math.Floor(v + 0.5)
		}
		if v != v {
			q = 0
		}
		dst[i] = float32(min(max(q, qMin), qMax) * inv)
		if mask != nil {
			var in uint8
			if v >= qMin && v <= qMax {
				in = 1
			}
			mask[i] = in
		}
	}
}

// fakeQuantValue is fakeQuant of one value, without the gate.
func fakeQuantValue(x float64, fp int, r Round) float64 {
	v := r.round(math.Ldexp(x, fp))
	if v != v {
		return 0
	}
	return math.Ldexp(min(max(v, qMin), qMax), -fp)
}
