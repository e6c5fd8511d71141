package train

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"fixq/core/tensor"
)

// A two-layer model (conv 3x3 + ReLU, fused; conv 1x1) quantized at fix
// positions chosen by hand, with the second conv's output quantized too.
func adaModel(r *rand.Rand) (*mb, *Spec) {
	b := newModel(13, "x").
		init("w1", randT(r, 0.4, 6, 2, 3, 3)).init("b1", randT(r, 0.2, 6)).
		init("w2", randT(r, 0.4, 3, 6, 1, 1)).init("b2", randT(r, 0.2, 3)).
		node("c1", "Conv", []string{"x", "w1", "b1"}, []string{"c1"}, ints("pads", 1, 1, 1, 1)).
		node("r1", "Relu", []string{"c1"}, []string{"r1"}).
		node("c2", "Conv", []string{"r1", "w2", "b2"}, []string{"y"})
	spec := &Spec{Points: map[string]Point{
		"x":  {FixPos: 6, Round: RoundDPU},
		"w1": {FixPos: 6, Round: RoundStd}, "b1": {FixPos: 7, Round: RoundStd},
		"r1": {FixPos: 5, Round: RoundDPU},
		"w2": {FixPos: 6, Round: RoundStd}, "b2": {FixPos: 7, Round: RoundStd},
		"y": {FixPos: 4, Round: RoundDPU},
	}}
	return b, spec
}

func adaCalib(r *rand.Rand) []map[string]*tensor.Tensor {
	var calib []map[string]*tensor.Tensor
	// Non-negative inputs (like post-ReLU activations): weight rounding
	// errors then shift the outputs systematically, which AdaQuant fixes.
	for i := 0; i < 8; i++ {
		x := randT(r, 0.5, 16, 2, 6, 6)
		for k := range x.F32 {
			x.F32[k] += 0.5
		}
		calib = append(calib, map[string]*tensor.Tensor{"x": x})
	}
	return calib
}

func TestAdaQuantSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(30, 31))
	b, spec := adaModel(r)
	m := b.out("y")
	calib := adaCalib(r)
	var seen []LayerResult
	res, err := AdaQuant(context.Background(), m, spec, calib, AdaQuantOptions{Iterations: 150, Seed: 3}, func(l LayerResult) { seen = append(seen, l) })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0].Node != "c1" || seen[0].Output != "r1" || seen[1].Node != "c2" || seen[1].Output != "y" {
		t.Fatalf("layers %+v, want c1 (fused with r1) then c2", seen)
	}
	for _, l := range seen {
		if !l.Kept || !(l.MSEAfter < l.MSEBefore) {
			t.Errorf("layer %s: MSE %.4g -> %.4g, kept %v", l.Node, l.MSEBefore, l.MSEAfter, l.Kept)
		}
	}
	// The results lie on the int8 grid of their fix_pos; the model is untouched.
	for _, name := range []string{"w1", "b1", "w2", "b2"} {
		v := res.Initializers[name]
		if v == nil {
			t.Fatalf("%s not fine-tuned", name)
		}
		fp := spec.Points[name].FixPos
		changed := false
		for i, x := range v.F32 {
			q := math.Ldexp(float64(x), fp)
			if q != math.Round(q) || q < qMin || q > qMax {
				t.Fatalf("%s[%d] = %v is not an int8 at fix_pos %d", name, i, x, fp)
			}
			changed = changed || x != m.Graph.Initializers[name].F32[i]
		}
		if !changed {
			t.Errorf("%s: no value moved", name)
		}
	}
	// Layer 2 was tuned on layer 1's quantized, fine-tuned output: its
	// own MSE before tuning is the error of the model with layer 1 tuned.
	m2 := b.m
	tuned := *m2.Graph
	tuned.Initializers = map[string]*tensor.Tensor{}
	for k, v := range m2.Graph.Initializers {
		tuned.Initializers[k] = v
	}
	tuned.Initializers["w1"], tuned.Initializers["b1"] = res.Initializers["w1"], res.Initializers["b1"]
	tm := *m2
	tm.Graph = &tuned
	qnet, err := NewNet(&tm, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fnet, err := NewNet(m2, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	n := 0
	for _, c := range calib {
		if err := qnet.Forward(context.Background(), c, -1); err != nil {
			t.Fatal(err)
		}
		if err := fnet.Forward(context.Background(), c, -1); err != nil {
			t.Fatal(err)
		}
		mse, _ := MSE(qnet.Value("y").F32, fnet.Value("y").F32, nil)
		sum += mse * float64(c["x"].Shape[0])
		n += c["x"].Shape[0]
	}
	if got := sum / float64(n); math.Abs(got-seen[1].MSEBefore) > 1e-6*got {
		t.Errorf("layer 2's MSE before tuning %.6g, the quantized prefix with layer 1 tuned gives %.6g", seen[1].MSEBefore, got)
	}
}

func TestAdaQuantSeed(t *testing.T) {
	run := func(seed int64) []float32 {
		r := rand.New(rand.NewPCG(30, 31))
		b, spec := adaModel(r)
		res, err := AdaQuant(context.Background(), b.out("y"), spec, adaCalib(r), AdaQuantOptions{Iterations: 30, Batch: 5, Seed: seed}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var all []float32
		for _, name := range []string{"w1", "b1", "w2", "b2"} {
			if t := res.Initializers[name]; t != nil { // nil: not improved, kept
				all = append(all, t.F32...)
			}
		}
		return all
	}
	a, b, c := run(1), run(1), run(2)
	same := func(x, y []float32) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("the same seed gave different weights")
	}
	if same(a, c) {
		t.Error("seeds 1 and 2 gave the same weights")
	}
}

func TestAdaQuantErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(30, 31))
	b, spec := adaModel(r)
	m := b.out("y")
	calib := adaCalib(r)
	ctx := context.Background()
	for _, c := range []struct {
		spec  *Spec
		calib []map[string]*tensor.Tensor
		opts  AdaQuantOptions
		want  string
	}{
		{nil, calib, AdaQuantOptions{}, "spec"},
		{spec, nil, AdaQuantOptions{}, "calibration"},
		{spec, calib, AdaQuantOptions{Iterations: -1}, "iterations"},
		{spec, calib, AdaQuantOptions{LR: math.NaN()}, "learning rate"},
		{spec, calib, AdaQuantOptions{Batch: -3}, "batch"},
		{spec, []map[string]*tensor.Tensor{{"z": calib[0]["x"]}}, AdaQuantOptions{}, `missing input "x"`},
		{&Spec{Points: map[string]Point{"w1": {FixPos: 99}}}, calib, AdaQuantOptions{}, "fix_pos 99"},
	} {
		_, err := AdaQuant(ctx, m, c.spec, c.calib, c.opts, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error mentioning %q, got %v", c.want, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := AdaQuant(cctx, m, spec, calib, AdaQuantOptions{}, nil); err != context.Canceled {
		t.Errorf("cancelled context: %v", err)
	}
}

// A paused pass advanced node by node gives the values of a full
// forward pass, bit for bit, and keeps only the frontier.
func TestStateMatchesForward(t *testing.T) {
	r := rand.New(rand.NewPCG(32, 33))
	b, spec := adaModel(r)
	m := b.out("y")
	x := map[string]*tensor.Tensor{"x": randT(r, 1, 3, 2, 6, 6)}
	net, err := NewNet(m, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := net.Forward(ctx, x, -1); err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{}
	for _, v := range []string{"x", "c1", "r1", "y"} {
		want[v] = append([]float32(nil), net.Value(v).F32...)
	}
	st, err := net.NewState(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"x", "c1", "r1", "y", "r1"} {
		if err := net.AdvanceTo(ctx, st, v); err != nil {
			t.Fatal(err)
		}
		got := net.Value(v)
		if v == "r1" && st.next == 3 {
			got = nil // r1 left the frontier once y was computed
		}
		if got == nil {
			if net.Value(v) != nil {
				t.Errorf("%s still held after its last reader ran", v)
			}
			continue
		}
		for i, w := range want[v] {
			if math.Float32bits(got.F32[i]) != math.Float32bits(w) {
				t.Fatalf("%s[%d] = %v via the paused pass, %v via Forward", v, i, got.F32[i], w)
			}
		}
		if len(st.vals) > 2 {
			t.Errorf("after %s the frontier holds %d values", v, len(st.vals))
		}
	}
}

func TestNetErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(34, 35))
	m := newModel(13, "x").init("w", randT(r, 1, 2, 2, 1, 1)).
		node("c", "Conv", []string{"x", "w"}, []string{"c"}).
		node("t", "Tanh", []string{"c"}, []string{"y"}).out("y")
	net, err := NewNet(m, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := net.Forward(ctx, map[string]*tensor.Tensor{}, -1); err == nil || !strings.Contains(err.Error(), `missing input "x"`) {
		t.Errorf("missing input: %v", err)
	}
	if err := net.Forward(ctx, map[string]*tensor.Tensor{"x": randT(r, 1, 1, 3, 2, 2)}, -1); err == nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("wrong channel count: %v", err)
	}
	if err := net.Forward(ctx, map[string]*tensor.Tensor{"x": randT(r, 1, 1, 2, 2, 2)}, -1); err != nil {
		t.Fatal(err)
	}
	g, err := net.SeedGrad("y")
	if err != nil {
		t.Fatal(err)
	}
	g[0] = 1
	if err := net.Backward(ctx); err == nil || !strings.Contains(err.Error(), `node "t" (Tanh)`) {
		t.Errorf("backward through Tanh: %v", err)
	}
	if _, err := net.SeedGrad("nope"); err == nil {
		t.Error("SeedGrad of an unknown value: no error")
	}
	if _, err := NewNet(newModel(13, "x").node("u", "NoSuchOp", []string{"x"}, []string{"y"}).out("y"), nil, Options{}); err == nil ||
		!strings.Contains(err.Error(), "NoSuchOp") {
		t.Errorf("unsupported op: %v", err)
	}
}
