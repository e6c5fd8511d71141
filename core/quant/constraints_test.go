package quant

import (
	"math/rand"
	"strings"
	"testing"

	"fixq/core/tensor"
)

// convPlan is x -> Conv(w, b) -> Relu -> y with fix_pos set by hand.
func convPlan(t *testing.T, fi, fw, fb, fo int) *Plan {
	t.Helper()
	r := rand.New(rand.NewSource(4))
	b := newModel(13, fin("x", 1, 1, 3, 3))
	b.randInit(r, "w", 0.5, 1, 1, 1, 1)
	b.randInit(r, "b", 0.5, 1)
	b.node("conv", "Conv", []string{"x", "w", "b"}, []string{"c"})
	b.node("relu", "Relu", []string{"c"}, []string{"y"})
	p, err := buildPlan(b.outputs("y"), &Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Point("x").FixPos, p.Point("w").FixPos, p.Point("b").FixPos, p.Point("y").FixPos = fi, fw, fb, fo
	return p
}

func TestRepairConv(t *testing.T) {
	// Every expectation follows §2.2's PT column by hand.
	cases := []struct {
		name                   string
		fi, fw, fb, fo         int
		wantFw, wantFb, wantFo int
		warn                   string
	}{
		{"in range", 7, 8, 10, 0, 8, 10, 0, ""},
		// shift_cut = 8+7-(-2) = 17 > 16: fw = fo+16-fi = 7.
		{"shift_cut > 16", 7, 8, 10, -2, 7, 10, -2, "shift_cut 17 > 16"},
		// shift_cut = 3+4-9 = -2 < 0: fo = fw+fi = 7.
		{"shift_cut < 0", 4, 3, 5, 9, 3, 5, 7, "shift_cut -2 < 0"},
		// shift_cut = 4, lower bound min(0, 4-16) = -12; shift_bias =
		// 10-23 = -13: fb = fw+fi+12 = 22.
		{"shift_bias too small", 4, 6, 23, 6, 6, 22, 6, "shift_bias -13 < -12"},
		// shift_bias = 10-(-7) = 17 > 16: fw = fb+16-fi = 5 (shift_cut 3).
		{"shift_bias > 16", 4, 6, -7, 6, 5, -7, 6, "shift_bias 17 > 16"},
	}
	for _, c := range cases {
		p := convPlan(t, c.fi, c.fw, c.fb, c.fo)
		warns := p.applyConstraints()
		fw, fb, fo := p.Point("w").FixPos, p.Point("b").FixPos, p.Point("y").FixPos
		if fw != c.wantFw || fb != c.wantFb || fo != c.wantFo {
			t.Errorf("%s: fw/fb/fo = %d/%d/%d, want %d/%d/%d", c.name, fw, fb, fo, c.wantFw, c.wantFb, c.wantFo)
		}
		switch {
		case c.warn == "" && len(warns) != 0:
			t.Errorf("%s: unexpected warnings %q", c.name, warns)
		case c.warn != "" && (len(warns) != 1 || !strings.Contains(warns[0], c.warn) || !strings.Contains(warns[0], `"conv"`)):
			t.Errorf("%s: warnings %q, want one naming conv with %q", c.name, warns, c.warn)
		}
		s := p.shifts(p.NodePlan("conv"))
		if s.ShiftCut < 0 || s.ShiftCut > 16 || s.ShiftBias < minShiftBias(s.ShiftCut) || s.ShiftBias > 16 {
			t.Errorf("%s: shifts %+v still out of range", c.name, s)
		}
	}
}

func TestRepairHardSigmoidSwish(t *testing.T) {
	b := newModel(14, fin("x", 1, 4))
	b.node("hs", "HardSigmoid", []string{"x"}, []string{"y"}, aflt("alpha", 1.0/6), aflt("beta", 0.5))
	b.node("mp", "Reshape", []string{"x", "shape"}, []string{"x2"})
	b.node("hw", "HardSwish", []string{"x2"}, []string{"z"})
	b.init("shape", tensor.FromInt64([]int64{1, 4}, 2))
	p, err := buildPlan(b.outputs("y", "z"), &Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// fi = -1 (raised to 0, §3.2), hsigmoid fo = 5 (raised to 7), hswish
	// fo = 10 > fi+7 = 7 (lowered to 7, §3.3). x2 inherits x.
	p.Point("x").FixPos, p.Point("y").FixPos, p.Point("z").FixPos = -1, 5, 10
	warns := p.applyConstraints()
	if g := p.Point("x").FixPos; g != 0 {
		t.Errorf("input fp %d, want 0", g)
	}
	if g := p.Point("x2").FixPos; g != 0 {
		t.Errorf("inherited fp %d, want 0", g)
	}
	if g := p.Point("y").FixPos; g != 7 {
		t.Errorf("hsigmoid fo %d, want 7", g)
	}
	if g := p.Point("z").FixPos; g != 7 {
		t.Errorf("hswish fo %d, want 7", g)
	}
	if len(warns) != 3 {
		t.Errorf("warnings %q, want 3", warns)
	}
}
