package dpu

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"fixq/core/graph"
	"fixq/core/quant"
	"fixq/core/tensor"
)

// Kernel tests with hand-chosen fix positions (including a negative
// shift_bias and shift_cut 0) against plain loops written from the fact
// sheet: §2.1 (conv), §3.1-3.4 and §6 (approximations, eltwise, pools).
// The references compute exact values in float64 (every intermediate here
// is far below 2^53) and round once with DPU_ROUND = floor(v+0.5).

func dpuRound(v float64) float64 { return math.Floor(v + 0.5) }

func sat(v float64) int8 { return int8(min(max(v, -128), 127)) }

// runOne builds a one-node program with the given fix positions and
// parameters, runs it on int8 input x (fix_pos fi) and returns the output.
func runOne(t *testing.T, n *graph.Node, x *tensor.Tensor, fi, fo int, params map[string]*emuParam, approx *emuApprox, extra map[string]int) *tensor.Tensor {
	t.Helper()
	g := &graph.Graph{Name: "t", Inputs: []graph.ValueInfo{{Name: n.Inputs[0], DType: tensor.Float32}},
		Outputs: []graph.ValueInfo{{Name: n.Outputs[0], DType: tensor.Float32}}, Nodes: []*graph.Node{n}}
	eg := &emuGraph{model: &graph.Model{Opsets: map[string]int64{"": 14}, Graph: g},
		fix: map[string]int{n.Inputs[0]: fi, n.Outputs[0]: fo}, params: params, approx: map[string]*emuApprox{}}
	for k, v := range extra {
		eg.fix[k] = v
	}
	for name, pr := range params {
		g.SetInitializer(name, pr.dequantized())
	}
	if approx != nil {
		eg.approx[n.Name] = approx
	}
	p, err := build(eg)
	if err != nil {
		t.Fatal(err)
	}
	if k := p.Steps()[0].Kernel; k == "float" {
		t.Fatalf("%s ran in float", n.OpType)
	}
	// the input arrives as float on the grid, so quantizing it is exact
	out, err := p.Run(context.Background(), map[string]*tensor.Tensor{n.Inputs[0]: dequantize(x, fi)})
	if err != nil {
		t.Fatal(err)
	}
	var q *tensor.Tensor
	p.Values(func(name string, v *tensor.Tensor, fp int) {
		if name == n.Outputs[0] {
			if fp != fo {
				t.Fatalf("output fix_pos %d, want %d", fp, fo)
			}
			q = v
		}
	})
	if q == nil || out[n.Outputs[0]] == nil {
		t.Fatal("no output")
	}
	return q
}

func randQ(r *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Int8, shape...)
	for i := range t.I8 {
		t.I8[i] = int8(r.Intn(256) - 128)
	}
	return t
}

func TestEmuConvAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	acts := []actKind{actNone, actRelu, actRelu6, actLeaky}
	for it := 0; it < 60; it++ {
		N, group := 1+r.Intn(2), 1+r.Intn(3)
		cg, mg := 1+r.Intn(4), 1+r.Intn(7)
		if it%4 == 0 { // depthwise, channel multiplier 1 or 2
			cg, group, mg = 1, 2+r.Intn(5), 1+r.Intn(2)
		}
		C, M := cg*group, mg*group
		kh, kw := 1+r.Intn(3), 1+r.Intn(3)
		sh, sw, dh, dw := 1+r.Intn(2), 1+r.Intn(2), 1+r.Intn(2), 1+r.Intn(2)
		pads := [4]int{r.Intn(3), r.Intn(3), r.Intn(3), r.Intn(3)}
		H, W := (kh-1)*dh+1+r.Intn(6), (kw-1)*dw+1+r.Intn(6)
		fi, fw := r.Intn(8)-1, 4+r.Intn(5)
		fo := fi + fw - r.Intn(10)    // shift_cut 0..9
		fb := fi + fw - r.Intn(8) + 3 // shift_bias -3..4 (negative: §2.2)
		act := acts[r.Intn(4)]
		x := randQ(r, N, C, H, W)
		w := randQ(r, M, cg, kh, kw)
		b := randQ(r, M)
		params := map[string]*emuParam{"w": {Q: w.I8, Shape: w.Shape, FixPos: fw}, "b": {Q: b.I8, Shape: b.Shape, FixPos: fb}}
		n := &graph.Node{Name: "conv", OpType: "Conv", Inputs: []string{"x", "w", "b"}, Outputs: []string{"y"}}
		n.SetAttr(aInts("strides", sh, sw))
		n.SetAttr(aInts("dilations", dh, dw))
		n.SetAttr(aInts("pads", pads[0], pads[1], pads[2], pads[3]))
		n.SetAttr(aInt("group", group))
		var got *tensor.Tensor
		if act == actNone {
			got = runOne(t, n, x, fi, fo, params, nil, nil)
		} else {
			got = runFused(t, n, act, x, fi, fo, params)
		}
		OH := (H+pads[0]+pads[2]-(kh-1)*dh-1)/sh + 1
		OW := (W+pads[1]+pads[3]-(kw-1)*dw-1)/sw + 1
		if got.Shape[2] != OH || got.Shape[3] != OW {
			t.Fatalf("it %d: output %v, want %dx%d", it, got.Shape, OH, OW)
		}
		i := 0
		for bn := 0; bn < N; bn++ {
			for m := 0; m < M; m++ {
				g := m / mg
				for oy := 0; oy < OH; oy++ {
					for ox := 0; ox < OW; ox++ {
						var acc int64
						for c := 0; c < cg; c++ {
							for ky := 0; ky < kh; ky++ {
								for kx := 0; kx < kw; kx++ {
									iy, ix := oy*sh-pads[0]+ky*dh, ox*sw-pads[1]+kx*dw
									if iy < 0 || iy >= H || ix < 0 || ix >= W {
										continue
									}
									acc += int64(x.I8[((bn*C+g*cg+c)*H+iy)*W+ix]) * int64(w.I8[((m*cg+c)*kh+ky)*kw+kx])
								}
							}
						}
						v := math.Ldexp(float64(acc), -(fw+fi)) + math.Ldexp(float64(b.I8[m]), -fb)
						switch act {
						case actRelu:
							v = max(v, 0)
						case actRelu6:
							v = min(max(v, 0), 6)
						case actLeaky:
							if v < 0 {
								v = v * 26 / 256
							}
						}
						want := sat(dpuRound(math.Ldexp(v, fo)))
						if got.I8[i] != want {
							t.Fatalf("it %d (act %v, fi %d fw %d fb %d fo %d, group %d): y[%d] = %d, want %d", it, act, fi, fw, fb, fo, group, i, got.I8[i], want)
						}
						i++
					}
				}
			}
		}
	}
}

// runFused runs conv n followed by a fused activation.
func runFused(t *testing.T, n *graph.Node, act actKind, x *tensor.Tensor, fi, fo int, params map[string]*emuParam) *tensor.Tensor {
	t.Helper()
	n.Outputs = []string{"c"}
	a := &graph.Node{Name: "act", Inputs: []string{"c"}, Outputs: []string{"y"}}
	var ap *emuApprox
	switch act {
	case actRelu:
		a.OpType = "Relu"
	case actRelu6:
		a.OpType = "Clip"
		a.Inputs = append(a.Inputs, "lo", "hi")
		params = cloneParams(params)
	case actLeaky:
		a.OpType = "LeakyRelu"
		a.SetAttr(aFloat("alpha", float32(quant.LeakyReluSlope)))
		ap = &emuApprox{Kind: quant.ApproxLeakyRelu}
	}
	g := &graph.Graph{Name: "t", Inputs: []graph.ValueInfo{{Name: "x", DType: tensor.Float32}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}}, Nodes: []*graph.Node{n, a}}
	for name, pr := range params {
		g.SetInitializer(name, pr.dequantized())
	}
	if act == actRelu6 {
		g.SetInitializer("lo", tensor.FromFloat32([]float32{0}))
		g.SetInitializer("hi", tensor.FromFloat32([]float32{6}))
	}
	eg := &emuGraph{model: &graph.Model{Opsets: map[string]int64{"": 14}, Graph: g},
		fix: map[string]int{"x": fi, "y": fo}, params: params, approx: map[string]*emuApprox{}}
	if ap != nil {
		eg.approx["act"] = ap
	}
	p, err := build(eg)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Steps(); len(s) != 1 || s[0].FusedAct != "act" || s[0].Kernel == "float" {
		t.Fatalf("activation not fused: %+v", s)
	}
	if _, err := p.Run(context.Background(), map[string]*tensor.Tensor{"x": dequantize(x, fi)}); err != nil {
		t.Fatal(err)
	}
	var q *tensor.Tensor
	p.Values(func(name string, v *tensor.Tensor, fp int) {
		if name == "y" {
			q = v
		}
	})
	return q
}

func cloneParams(p map[string]*emuParam) map[string]*emuParam {
	c := map[string]*emuParam{}
	for k, v := range p {
		c[k] = v
	}
	return c
}

// TestEmuApproxAgainstFactSheet: §6 items 5-7 and §3.1 as plain formulas.
func TestEmuApproxAgainstFactSheet(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	x := randQ(r, 1, 3, 7, 7)
	for _, fi := range []int{0, 2, 5} {
		// hard-sigmoid (§6 item 6), fo >= 7
		for _, fo := range []int{7, 8} {
			y := runOne(t, &graph.Node{Name: "hs", OpType: "HardSigmoid", Inputs: []string{"x"}, Outputs: []string{"y"}}, x, fi, fo, nil,
				&emuApprox{Kind: quant.ApproxHardSigmoid}, nil)
			for i, q := range x.I8 {
				num := max(0, int64(q)*2731+3*2731<<fi)
				want := sat(dpuRound(float64(num) / math.Ldexp(1, 14+fi-fo)))
				if y.I8[i] != want {
					t.Fatalf("hard-sigmoid fi %d fo %d x %d: %d, want %d", fi, fo, q, y.I8[i], want)
				}
			}
		}
		// hard-swish (§6 item 7)
		fo := fi + 7 - 3
		y := runOne(t, &graph.Node{Name: "hw", OpType: "HardSwish", Inputs: []string{"x"}, Outputs: []string{"y"}}, x, fi, fo, nil,
			&emuApprox{Kind: quant.ApproxHardSwish}, nil)
		for i, q := range x.I8 {
			num := max(0, int64(q)*2731+3*2731<<fi)
			h := sat(dpuRound(float64(num) / math.Ldexp(1, 14+fi-7)))
			want := sat(dpuRound(float64(int64(q)*int64(h)) / math.Ldexp(1, fi+7-fo)))
			if y.I8[i] != want {
				t.Fatalf("hard-swish fi %d x %d: %d, want %d", fi, q, y.I8[i], want)
			}
		}
		// standalone LeakyReLU (§3.1): x·26/256, one rounding
		y = runOne(t, &graph.Node{Name: "lr", OpType: "LeakyRelu", Inputs: []string{"x"}, Outputs: []string{"y"}}, x, fi, fi+2, nil,
			&emuApprox{Kind: quant.ApproxLeakyRelu}, nil)
		for i, q := range x.I8 {
			v := float64(q)
			if v < 0 {
				v = v * 26 / 256
			}
			if want := sat(dpuRound(v * 4)); y.I8[i] != want {
				t.Fatalf("leaky x %d: %d, want %d", q, y.I8[i], want)
			}
		}
	}
	// average pool 3x3, pad 1, count_include_pad: window sum · 7/64 (§3.4)
	n := &graph.Node{Name: "ap", OpType: "AveragePool", Inputs: []string{"x"}, Outputs: []string{"y"}}
	n.SetAttr(aInts("kernel_shape", 3, 3))
	n.SetAttr(aInts("pads", 1, 1, 1, 1))
	n.SetAttr(aInt("count_include_pad", 1))
	fi, fo := 4, 5
	y := runOne(t, n, x, fi, fo, nil, &emuApprox{Kind: quant.ApproxAvgPool, N: 7, M: 6}, nil)
	for c := 0; c < 3; c++ {
		for oy := 0; oy < 7; oy++ {
			for ox := 0; ox < 7; ox++ {
				var s int64
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						if iy, ix := oy+dy, ox+dx; iy >= 0 && iy < 7 && ix >= 0 && ix < 7 {
							s += int64(x.I8[(c*7+iy)*7+ix])
						}
					}
				}
				want := sat(dpuRound(float64(s*7) / math.Ldexp(1, 6+fi-fo)))
				if got := y.I8[(c*7+oy)*7+ox]; got != want {
					t.Fatalf("avg pool c%d (%d,%d): %d, want %d", c, oy, ox, got, want)
				}
			}
		}
	}
	// QDQ gain form: GAP over 7x7 with gain 21·49/1024 gives N=21, M=10
	gp := &graph.Node{Name: "gap", OpType: "GlobalAveragePool", Inputs: []string{"x"}, Outputs: []string{"y"}}
	y = runOne(t, gp, x, fi, fo, nil, &emuApprox{Kind: quant.ApproxAvgPool, Gain: 21.0 * 49 / 1024}, nil)
	for c := 0; c < 3; c++ {
		var s int64
		for _, v := range x.I8[c*49 : (c+1)*49] {
			s += int64(v)
		}
		if want := sat(dpuRound(float64(s*21) / math.Ldexp(1, 10+fi-fo))); y.I8[c] != want {
			t.Fatalf("gap c%d: %d, want %d", c, y.I8[c], want)
		}
	}
}

// TestEmuEltwiseAlignment: §6 item 4 (align to the largest input fix_pos,
// exact sum, one rounding) with a broadcast operand, and Mul at Σ fp.
func TestEmuEltwiseAlignment(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	a, b := randQ(r, 2, 3, 4, 5), randQ(r, 1, 3, 1, 1)
	for _, op := range []string{"Add", "Mul"} {
		fa, fb, fo := 3, 6, 4
		n := &graph.Node{Name: "e", OpType: op, Inputs: []string{"a", "b"}, Outputs: []string{"y"}}
		params := map[string]*emuParam{"b": {Q: b.I8, Shape: b.Shape, FixPos: fb}}
		y := runOne(t, n, a, fa, fo, params, nil, nil)
		for i, q := range a.I8 {
			c := (i / 20) % 3
			var want int8
			if op == "Add" {
				F := max(fa, fb)
				s := int64(q)<<(F-fa) + int64(b.I8[c])<<(F-fb)
				want = sat(dpuRound(float64(s) / math.Ldexp(1, F-fo)))
			} else {
				want = sat(dpuRound(float64(int64(q)*int64(b.I8[c])) / math.Ldexp(1, fa+fb-fo)))
			}
			if y.I8[i] != want {
				t.Fatalf("%s [%d]: %d, want %d", op, i, y.I8[i], want)
			}
		}
	}
}

// TestRoundShift: DPU_ROUND ties toward +inf (2.5 -> 3, -2.5 -> -2, §1.2),
// saturation, left shifts.
func TestRoundShift(t *testing.T) {
	for _, c := range []struct {
		v    int64
		s    int
		want int8
	}{{5, 1, 3}, {-5, 1, -2}, {-3, 1, -1}, {3, 1, 2}, {255, 1, 127}, {-257, 1, -128}, {-256, 1, -128},
		{3, -2, 12}, {40, -2, 127}, {-40, -2, -128}, {1, -9, 127}, {-1, -60, -128}, {0, -60, 0}, {1 << 40, 63, 0}, {7, 0, 7}} {
		if got := roundShift(c.v, c.s); got != c.want {
			t.Errorf("roundShift(%d, %d) = %d, want %d", c.v, c.s, got, c.want)
		}
	}
}
