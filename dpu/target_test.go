package dpu

import (
	"math"
	"strings"
	"testing"
)

// TestTargetsMatchFactSheet checks the embedded targets against the
// DPU-ARITHMETIC.md §4.1 table (PG338 Table 1 and the target prototxt):
// PP, ICP, OCP, peak ops/clk, ALU PP, channel augmentation, CONVW banks.
func TestTargetsMatchFactSheet(t *testing.T) {
	table := []struct {
		name                  string
		pp, icp, ocp, peak    int
		aluPP, aug            int
		convwNum, convwWidth  int
		convwDepth, bankDepth int
	}{
		{"B512", 4, 8, 8, 512, 2, 16, 8, 8, 2048, 2048},
		{"B800", 4, 10, 10, 800, 2, 20, 10, 10, 2048, 2048},
		{"B1024", 8, 8, 8, 1024, 4, 16, 8, 8, 2048, 2048},
		{"B1152", 4, 12, 12, 1152, 2, 24, 12, 12, 2048, 2048},
		{"B1600", 8, 10, 10, 1600, 4, 20, 10, 10, 2048, 2048},
		{"B2304", 8, 12, 12, 2304, 4, 24, 12, 12, 2048, 2048},
		{"B3136", 8, 14, 14, 3136, 4, 28, 14, 14, 2048, 2048},
		{"B4096", 8, 16, 16, 4096, 4, 32, 16, 16, 2048, 2048},
	}
	for _, r := range table {
		tg, err := LookupTarget("DPUCZDX8G_ISA1_" + r.name)
		if err != nil {
			t.Fatal(err)
		}
		c := tg.Conv
		if c.PixelParallel != r.pp || c.InputChannelParallel != r.icp || c.OutputChannelParallel != r.ocp {
			t.Errorf("%s: PP/ICP/OCP %d/%d/%d, want %d/%d/%d", r.name, c.PixelParallel, c.InputChannelParallel, c.OutputChannelParallel, r.pp, r.icp, r.ocp)
		}
		if tg.PeakOpsPerCycle() != r.peak {
			t.Errorf("%s: peak %d ops/clk, want %d", r.name, tg.PeakOpsPerCycle(), r.peak)
		}
		if tg.ALU.PixelParallel != r.aluPP || tg.Eltwise.PixelParallel != r.aluPP {
			t.Errorf("%s: ALU/eltwise PP %d/%d, want %d", r.name, tg.ALU.PixelParallel, tg.Eltwise.PixelParallel, r.aluPP)
		}
		if c.ChannelAugmentation != r.aug {
			t.Errorf("%s: channel augmentation %d, want %d", r.name, c.ChannelAugmentation, r.aug)
		}
		if b := tg.Bank("CONVW"); b == nil || b.Num != r.convwNum || b.Width != r.convwWidth || b.Depth != r.convwDepth {
			t.Errorf("%s: CONVW %+v, want %dx%dx%d", r.name, b, r.convwNum, r.convwWidth, r.convwDepth)
		}
		if tg.BankDepth() != r.bankDepth || tg.ChannelParallel() != r.icp {
			t.Errorf("%s: bank depth %d cp %d", r.name, tg.BankDepth(), tg.ChannelParallel())
		}
		// §4.2: identical engine limits across the ISA1 family.
		if c.Kernel != (Range{1, 16}) || c.Stride != (Range{1, 8}) || c.StrideOutH != (Range{1, 4}) {
			t.Errorf("%s: conv limits %v %v %v", r.name, c.Kernel, c.Stride, c.StrideOutH)
		}
		a := tg.ALU
		if a.Kernel != (Range{1, 256}) || a.Stride != (Range{1, 256}) || a.Pad.Left != (Range{0, 15}) || a.Pad.Right != (Range{0, 255}) ||
			a.Pad.Top != (Range{0, 15}) || a.Pad.Bottom != (Range{0, 255}) {
			t.Errorf("%s: ALU limits %+v", r.name, a)
		}
		if strings.Join(c.Nonlinear, ",") != "relu,leaky_relu,relu_six" || strings.Join(tg.Eltwise.Types, ",") != "add,mult" ||
			strings.Join(tg.Eltwise.Nonlinear, ",") != "relu" || strings.Join(a.Nonlinear, ",") != "relu,relu_six" {
			t.Errorf("%s: nonlinear/eltwise lists differ from §4.2", r.name)
		}
		for _, typ := range []string{"dwconv", "prelu", "avg_pool", "max_pool", "leaky_relu", "max_reduce", "dwconv_no_bias", "hsigmoid", "w16b0"} {
			if !tg.HasALU(typ) {
				t.Errorf("%s: ALU lacks %s", r.name, typ)
			}
		}
	}
}

func TestLookupTarget(t *testing.T) {
	tg, err := LookupTarget("")
	if err != nil || tg.Name != "DPUCZDX8G_ISA1_B4096" {
		t.Fatalf("default target %v, %v", tg, err)
	}
	if tg, err := LookupTarget("dpuczdx8g_isa1_b512"); err != nil || tg.Name != "DPUCZDX8G_ISA1_B512" {
		t.Errorf("case-insensitive lookup: %v, %v", tg, err)
	}
	_, err = LookupTarget("B9999")
	if err == nil {
		t.Fatal("unknown target: no error")
	}
	for _, n := range []string{"DPUCZDX8G_ISA1_B512", "DPUCZDX8G_ISA1_B4096", "DPUCVDX8G_ISA3_C32B1"} {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not list %s", err, n)
		}
	}
	// A looked-up target is the caller's copy.
	a, _ := LookupTarget("")
	a.Conv.Nonlinear[0] = "changed"
	a.Banks[0].Depth = 1
	b, _ := LookupTarget("")
	if b.Conv.Nonlinear[0] != "relu" || b.Banks[0].Depth != 2048 {
		t.Error("editing a looked-up target changed the built-in one")
	}
	if got := len(TargetNames()); got != 9 {
		t.Errorf("%d targets, want 9", got)
	}
}

// §4.5: DPUCVDX8G C32B1 is 10.24 TOPS at 1.25 GHz; its conv engine fuses
// hsigmoid/hswish.
func TestVersalTarget(t *testing.T) {
	tg, err := LookupTarget("DPUCVDX8G_ISA3_C32B1")
	if err != nil {
		t.Fatal(err)
	}
	if tops := float64(tg.PeakOpsPerCycle()) * tg.DefaultClockMHz * 1e6 / 1e12; math.Abs(tops-10.24) > 1e-9 {
		t.Errorf("peak %v TOPS, want 10.24", tops)
	}
	if !contains(tg.Conv.Nonlinear, "hswish") || !contains(tg.Conv.Nonlinear, "hsigmoid") {
		t.Errorf("conv nonlinear %v lacks hsigmoid/hswish", tg.Conv.Nonlinear)
	}
}

func TestRangeJSON(t *testing.T) {
	var r Range
	for _, bad := range []string{`"1"`, `"a-b"`, `"5-1"`, `3`} {
		if err := r.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if err := r.UnmarshalJSON([]byte(`"0-255"`)); err != nil || r != (Range{0, 255}) {
		t.Errorf("0-255: %v %v", r, err)
	}
	if _, err := decodeTargets([]byte(`[{"name":"x","bogus":1}]`)); err == nil {
		t.Error("unknown field accepted")
	}
}
