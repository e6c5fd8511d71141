package quant

import (
	"fmt"
)

// Shift ranges of DPU-ARITHMETIC.md §2.2.
const (
	MinShiftCut  = 0
	MaxShiftCut  = 16
	MaxShiftBias = 16
)

// minShiftBias is min(0, shift_cut-16), i.e. min(0, -(24-(8+shift_cut)))
// (§2.2 table).
func minShiftBias(shiftCut int) int { return min(0, shiftCut-16) }

// fixPos returns the fix_pos of a quantized tensor (following Inherit).
func (p *Plan) fixPos(tensor string) (int, bool) {
	pt := p.root(p.byTensor[tensor])
	if pt == nil {
		return 0, false
	}
	return pt.FixPos, true
}

// resolveInherited copies each data-movement output's fix_pos from its
// source (§3.8-3.10).
func (p *Plan) resolveInherited() {
	for _, pt := range p.Points {
		if pt.Inherit != "" {
			if r := p.root(pt); r != nil {
				pt.FixPos = r.FixPos
			}
		}
	}
}

// Shifts are a conv-like node's shift_cut and shift_bias (§2.1).
type Shifts struct {
	ShiftCut  int
	ShiftBias int
	HasBias   bool
}

// shifts computes a conv-like node's shifts from the current fix_pos.
func (p *Plan) shifts(np *NodePlan) Shifts {
	fi, _ := p.fixPos(np.Input)
	fo, _ := p.fixPos(np.Output)
	fw := p.byTensor[np.Weight].FixPos
	s := Shifts{ShiftCut: fw + fi - fo}
	if np.Bias != "" {
		s.HasBias = true
		s.ShiftBias = fw + fi - p.byTensor[np.Bias].FixPos
	}
	return s
}

// applyConstraints repairs fix_pos values that the DPU cannot execute, the
// way vai_q_pytorch does at export (§2.2, §3.2, §3.3), and returns one
// warning per repair naming the node. Repairs can interact (lowering a
// weight fix_pos changes shift_cut), so they repeat until nothing changes.
func (p *Plan) applyConstraints() []string {
	var warns []string
	warn := func(np *NodePlan, format string, args ...any) {
		warns = append(warns, fmt.Sprintf("node %q (%s): ", np.Node.Name, np.Node.OpType)+fmt.Sprintf(format, args...))
	}
	for iter := 0; iter < 8; iter++ {
		p.resolveInherited()
		changed := false
		for _, np := range p.Nodes {
			switch {
			case np.role == roleConvLike:
				changed = p.repairConv(np, warn) || changed
			case np.Approx == ApproxHardSigmoid:
				changed = p.repairHardSigmoid(np, warn) || changed
			case np.Approx == ApproxHardSwish:
				changed = p.repairHardSwish(np, warn) || changed
			}
		}
		if !changed {
			return warns
		}
	}
	p.resolveInherited()
	for _, np := range p.Nodes {
		if np.role == roleConvLike {
			if s := p.shifts(np); s.ShiftCut < MinShiftCut || s.ShiftCut > MaxShiftCut {
				warn(np, "shift_cut %d still outside [0,16] after repairs", s.ShiftCut)
			}
		}
	}
	return warns
}

type warnFunc func(np *NodePlan, format string, args ...any)

// repairConv enforces 0 <= shift_cut <= 16 and min(0, shift_cut-16) <=
// shift_bias <= 16 with vai_q_pytorch's choices (§2.2 "PT"): shift_cut < 0
// lowers the output fix_pos, shift_cut > 16 the weight's; shift_bias too
// small lowers the bias fix_pos, too large the weight's.
func (p *Plan) repairConv(np *NodePlan, warn warnFunc) bool {
	w := p.byTensor[np.Weight]
	out := p.root(p.byTensor[np.Output])
	fi, _ := p.fixPos(np.Input)
	changed := false
	if s := p.shifts(np); s.ShiftCut < MinShiftCut {
		old := out.FixPos
		out.FixPos = w.FixPos + fi
		warn(np, "shift_cut %d < 0 (output value is too small): output %q fix_pos lowered from %d to %d (§2.2)", s.ShiftCut, out.Tensor, old, out.FixPos)
		changed = true
	} else if s.ShiftCut > MaxShiftCut {
		old := w.FixPos
		w.FixPos = out.FixPos + MaxShiftCut - fi
		warn(np, "shift_cut %d > 16: weight %q fix_pos lowered from %d to %d (§2.2)", s.ShiftCut, w.Tensor, old, w.FixPos)
		changed = true
	}
	if np.Bias == "" {
		return changed
	}
	b := p.byTensor[np.Bias]
	s := p.shifts(np)
	if lo := minShiftBias(s.ShiftCut); s.ShiftBias < lo {
		old := b.FixPos
		b.FixPos = w.FixPos + fi - lo
		warn(np, "shift_bias %d < %d: bias %q fix_pos lowered from %d to %d (§2.2)", s.ShiftBias, lo, b.Tensor, old, b.FixPos)
		changed = true
	} else if s.ShiftBias > MaxShiftBias {
		old := w.FixPos
		w.FixPos = b.FixPos + MaxShiftBias - fi
		warn(np, "shift_bias %d > 16: weight %q fix_pos lowered from %d to %d (§2.2)", s.ShiftBias, w.Tensor, old, w.FixPos)
		changed = true
	}
	return changed
}

// raiseInput enforces fi >= 0 for hard-sigmoid and hard-swish (§3.2, §3.3:
// PT raises a negative input fix_pos to 0).
func (p *Plan) raiseInput(np *NodePlan, warn warnFunc) bool {
	in := p.root(p.byTensor[np.Node.Inputs[0]])
	if in == nil || in.FixPos >= 0 {
		return false
	}
	warn(np, "input %q fix_pos %d < 0 raised to 0 (§3.2)", in.Tensor, in.FixPos)
	in.FixPos = 0
	return true
}

// repairHardSigmoid enforces fi >= 0 and fo >= 7 (§3.2).
func (p *Plan) repairHardSigmoid(np *NodePlan, warn warnFunc) bool {
	changed := p.raiseInput(np, warn)
	out := p.root(p.byTensor[np.Node.Outputs[0]])
	if out != nil && out.FixPos < HardSigmoidMinOutFixPos {
		warn(np, "output fix_pos %d raised to 7 (hard-sigmoid needs fo >= 7, §3.2)", out.FixPos)
		out.FixPos = HardSigmoidMinOutFixPos
		changed = true
	}
	return changed
}

// repairHardSwish enforces fi >= 0 and fo <= fi+7 (§3.3).
func (p *Plan) repairHardSwish(np *NodePlan, warn warnFunc) bool {
	changed := p.raiseInput(np, warn)
	fi, _ := p.fixPos(np.Node.Inputs[0])
	out := p.root(p.byTensor[np.Node.Outputs[0]])
	if out != nil && out.FixPos > fi+HardSwishSigmoidFixPos {
		warn(np, "output fix_pos %d lowered to %d (hard-swish needs fo <= fi+7, §3.3)", out.FixPos, fi+HardSwishSigmoidFixPos)
		out.FixPos = fi + HardSwishSigmoidFixPos
		changed = true
	}
	return changed
}
