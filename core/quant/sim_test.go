package quant

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// The simulator is checked against plain integer loops written from
// DPU-ARITHMETIC.md §2.1 and §6 (int64 accumulators, shifts, DPU_ROUND as
// floor((v + 2^(s-1)) / 2^s)): bit for bit, no tolerance.

// dpuShift is DPU_ROUND(v / 2^s) for an integer v (§6 item 2); a negative
// s is an exact left shift.
func dpuShift(v int64, s int) int64 {
	if s <= 0 {
		return v << -s
	}
	return (v + 1<<(s-1)) >> s
}

func sat8(v int64) int64 { return max(-128, min(127, v)) }

// qIn is the model-input conversion DPU_ROUND(x·2^fp), saturated (§3.12),
// written independently of fixpos.go.
func qIn(x float32, fp int) int64 {
	return sat8(int64(math.Floor(float64(x)*math.Pow(2, float64(fp)) + 0.5)))
}

// simulate builds a plan for m with hand-set fix_pos values and runs the
// simulator on x.
func simulate(t *testing.T, m *graph.Model, fps map[string]int, x map[string]*tensor.Tensor) (*Plan, map[string]*tensor.Tensor) {
	t.Helper()
	ctx := context.Background()
	meta, err := probeMeta(ctx, m, x)
	if err != nil {
		t.Fatal(err)
	}
	p, err := buildPlan(m, &Config{}, meta)
	if err != nil {
		t.Fatal(err)
	}
	for name, fp := range fps {
		pt := p.Point(name)
		if pt == nil {
			t.Fatalf("no point %q", name)
		}
		pt.FixPos = fp
	}
	p.resolveInherited()
	p.quantizeParams(m.Graph)
	s, err := newSimulator(m, p)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Run(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	return p, out
}

// checkInt compares a simulated output with integer codes at fp.
func checkInt(t *testing.T, what string, got *tensor.Tensor, want []int64, fp int) {
	t.Helper()
	if len(got.F32) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got.F32), len(want))
	}
	bad := 0
	for i, w := range want {
		g := float64(got.F32[i]) * math.Pow(2, float64(fp))
		if g != float64(w) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v (code %v), want code %d", what, i, got.F32[i], g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d codes differ", what, bad, len(want))
	}
}

// intConv is the §2.1 pipeline for a stride-1 Conv with symmetric padding
// pad over NCHW int codes; act is "", "relu" or "leaky".
func intConv(x []int64, c, h, w int, wq []int64, oc, k int, bq []int64, pad, fi, fw, fb, fo int, act string) []int64 {
	sc, sb := fw+fi-fo, fw+fi-fb
	oh, ow := h+2*pad-k+1, w+2*pad-k+1
	out := make([]int64, oc*oh*ow)
	// Work at 2^-(fw+fi+e) with e = max(0, -sb) so a negative shift_bias
	// is exact too.
	e := max(0, -sb)
	for o := 0; o < oc; o++ {
		for y := 0; y < oh; y++ {
			for xx := 0; xx < ow; xx++ {
				var acc int64
				for ci := 0; ci < c; ci++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := y+ky-pad, xx+kx-pad
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							acc += x[(ci*h+iy)*w+ix] * wq[((o*c+ci)*k+ky)*k+kx]
						}
					}
				}
				acc <<= e
				acc += dpuShift(bq[o], -(sb + e)) // b·2^(shift_bias+e)
				shift := sc + e
				switch act {
				case "relu":
					acc = max(acc, 0)
				case "leaky":
					if acc < 0 {
						acc *= 26 // ·26/256 (§3.1), the /256 joins the shift
						shift += 8
					} else {
						acc <<= 8
						shift += 8
					}
				}
				out[(o*oh+y)*ow+xx] = sat8(dpuShift(acc, shift))
			}
		}
	}
	return out
}

func codes(p *Plan, name string) []int64 {
	q := p.Point(name).Q
	out := make([]int64, len(q))
	for i, v := range q {
		out[i] = int64(v)
	}
	return out
}

func TestSimConvMatchesIntegerPipeline(t *testing.T) {
	for _, c := range []struct {
		act            string
		fi, fw, fb, fo int
	}{
		{"relu", 5, 6, 7, 4},   // shift_cut 7, shift_bias 4
		{"leaky", 5, 6, 7, 4},  // §3.1
		{"relu", 5, 6, 13, 5},  // shift_bias -2 (negative, §2.2)
		{"", 4, 7, 6, 2},       // no activation
		{"leaky", 6, 7, 9, 10}, // shift_cut 3
	} {
		r := rand.New(rand.NewSource(5))
		b := newModel(13, fin("x", 1, 3, 6, 6))
		b.randInit(r, "w", 0.9, 4, 3, 3, 3)
		b.randInit(r, "b", 0.9, 4)
		b.node("conv", "Conv", []string{"x", "w", "b"}, []string{"c"}, ints("pads", 1, 1, 1, 1))
		out := "c"
		switch c.act {
		case "relu":
			b.node("act", "Relu", []string{"c"}, []string{"y"})
			out = "y"
		case "leaky":
			b.node("act", "LeakyRelu", []string{"c"}, []string{"y"}, aflt("alpha", 0.1))
			out = "y"
		}
		m := b.outputs(out)
		x := randInput(r, 3, 1, 3, 6, 6)
		p, got := simulate(t, m, map[string]int{"x": c.fi, "w": c.fw, "b": c.fb, out: c.fo}, map[string]*tensor.Tensor{"x": x})
		xq := make([]int64, len(x.F32))
		for i, v := range x.F32 {
			xq[i] = qIn(v, c.fi)
		}
		want := intConv(xq, 3, 6, 6, codes(p, "w"), 4, 3, codes(p, "b"), 1, c.fi, c.fw, c.fb, c.fo, c.act)
		checkInt(t, c.act+" conv", got[out], want, c.fo)
	}
}

func TestSimAddAlignment(t *testing.T) {
	// §3.6: y = sat(DPU_ROUND(Σ x_i·2^(F-f_i) / 2^(F-fo))), F = max f_i.
	r := rand.New(rand.NewSource(6))
	b := newModel(13, fin("a", 1, 64), fin("b", 1, 64))
	b.node("add", "Add", []string{"a", "b"}, []string{"y"})
	m := b.outputs("y")
	fa, fb, fo := 6, 3, 4
	xa, xb := randInput(r, 2, 1, 64), randInput(r, 9, 1, 64)
	_, got := simulate(t, m, map[string]int{"a": fa, "b": fb, "y": fo}, map[string]*tensor.Tensor{"a": xa, "b": xb})
	F := max(fa, fb)
	want := make([]int64, 64)
	for i := range want {
		s := qIn(xa.F32[i], fa)<<(F-fa) + qIn(xb.F32[i], fb)<<(F-fb)
		want[i] = sat8(dpuShift(s, F-fo))
	}
	checkInt(t, "add", got["y"], want, fo)
}

func TestSimConcatRescale(t *testing.T) {
	// §3.7 (PT default): the output has its own fix_pos; each input is
	// rescaled with DPU_ROUND.
	r := rand.New(rand.NewSource(7))
	b := newModel(13, fin("a", 1, 2, 3), fin("b", 1, 3, 3))
	b.node("cat", "Concat", []string{"a", "b"}, []string{"y"}, aint("axis", 1))
	m := b.outputs("y")
	xa, xb := randInput(r, 1, 1, 2, 3), randInput(r, 4, 1, 3, 3)
	_, got := simulate(t, m, map[string]int{"a": 7, "b": 4, "y": 5}, map[string]*tensor.Tensor{"a": xa, "b": xb})
	var want []int64
	for _, v := range xa.F32 {
		want = append(want, sat8(dpuShift(qIn(v, 7), 2)))
	}
	for _, v := range xb.F32 {
		want = append(want, sat8(dpuShift(qIn(v, 4), -1)))
	}
	checkInt(t, "concat", got["y"], want, 5)
}

func TestSimAvgPool(t *testing.T) {
	// §6 item 5: window sum S (zero padded, full-kernel divisor) ·N/2^M,
	// shifted by fi-fo, one DPU_ROUND. 3x3 uses 7/64 (§3.4 table).
	r := rand.New(rand.NewSource(8))
	b := newModel(13, fin("x", 1, 2, 5, 5))
	b.node("pool", "AveragePool", []string{"x"}, []string{"y"}, ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), aint("count_include_pad", 1))
	b.node("gap", "GlobalAveragePool", []string{"x"}, []string{"g"})
	m := b.outputs("y", "g")
	x := randInput(r, 4, 1, 2, 5, 5)
	fi, fo, fg := 5, 6, 7
	_, got := simulate(t, m, map[string]int{"x": fi, "y": fo, "g": fg}, map[string]*tensor.Tensor{"x": x})
	var want []int64
	for c := 0; c < 2; c++ {
		for y := 0; y < 5; y++ {
			for xx := 0; xx < 5; xx++ {
				var s int64
				for ky := -1; ky <= 1; ky++ {
					for kx := -1; kx <= 1; kx++ {
						if y+ky >= 0 && y+ky < 5 && xx+kx >= 0 && xx+kx < 5 {
							s += qIn(x.F32[(c*5+y+ky)*5+xx+kx], fi)
						}
					}
				}
				want = append(want, sat8(dpuShift(s*7, 6+fi-fo)))
			}
		}
	}
	checkInt(t, "avgpool 3x3", got["y"], want, fo)
	// GlobalAveragePool over 5x5 (PT adaptive_avg_pool) takes the §3.4
	// table's 5x5 entry, 10/2^8.
	want = want[:0]
	for c := 0; c < 2; c++ {
		var s int64
		for i := 0; i < 25; i++ {
			s += qIn(x.F32[c*25+i], fi)
		}
		want = append(want, sat8(dpuShift(s*10, 8+fi-fg)))
	}
	checkInt(t, "global avgpool 5x5", got["g"], want, fg)
}

func TestSimHardSigmoidSwish(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	b := newModel(14, fin("x", 1, 256))
	b.node("hs", "HardSigmoid", []string{"x"}, []string{"y"}, aflt("alpha", 1.0/6), aflt("beta", 0.5))
	b.node("hw", "HardSwish", []string{"x"}, []string{"z"})
	m := b.outputs("y", "z")
	x := randInput(r, 5, 1, 256)
	fi, fo, fz := 4, 8, 3
	_, got := simulate(t, m, map[string]int{"x": fi, "y": fo, "z": fz}, map[string]*tensor.Tensor{"x": x})
	hs := func(xq int64, fo int) int64 { // §6 item 6
		return sat8(dpuShift(max(0, xq*2731+3*2731<<fi), 14+fi-fo))
	}
	var wy, wz []int64
	for _, v := range x.F32 {
		xq := qIn(v, fi)
		wy = append(wy, hs(xq, fo))
		wz = append(wz, sat8(dpuShift(xq*hs(xq, 7), fi+7-fz))) // §6 item 7
	}
	checkInt(t, "hard-sigmoid", got["y"], wy, fo)
	checkInt(t, "hard-swish", got["z"], wz, fz)
}

func TestSimGemm(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	b := newModel(13, fin("x", 2, 16))
	b.randInit(r, "w", 0.5, 5, 16)
	b.randInit(r, "b", 0.5, 5)
	b.node("fc", "Gemm", []string{"x", "w", "b"}, []string{"y"}, aint("transB", 1))
	m := b.outputs("y")
	x := randInput(r, 2, 2, 16)
	fi, fw, fb, fo := 6, 8, 7, 5
	p, got := simulate(t, m, map[string]int{"x": fi, "w": fw, "b": fb, "y": fo}, map[string]*tensor.Tensor{"x": x})
	wq, bq := codes(p, "w"), codes(p, "b")
	var want []int64
	for i := 0; i < 2; i++ {
		for o := 0; o < 5; o++ {
			var acc int64
			for k := 0; k < 16; k++ {
				acc += qIn(x.F32[i*16+k], fi) * wq[o*16+k]
			}
			acc += bq[o] << (fw + fi - fb)
			want = append(want, sat8(dpuShift(acc, fw+fi-fo)))
		}
	}
	checkInt(t, "gemm", got["y"], want, fo)
}
