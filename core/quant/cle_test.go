package quant

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/passes"
	"fixq/core/tensor"
)

// cleTestModel is conv3x3(3->8) -> Relu -> depthwise3x3(8) -> LeakyRelu
// -> conv1x1(8->6) -> Relu -> MaxPool2 -> Flatten -> Gemm(6·2·2 -> 5),
// with per-channel weight scales spread over two decades so the ranges
// differ strongly between channels (the situation CLE is for).
func cleTestModel(r *rand.Rand, act string) *graph.Model {
	b := newModel(13, fin("x", 2, 3, 4, 4))
	spread := func(name string, perOut int, shape ...int) {
		b.randInit(r, name, 1, shape...)
		t := b.m.Graph.Initializers[name]
		for i := range t.F32 {
			o := i / perOut
			t.F32[i] *= float32(math.Pow(10, float64(o%5)/2-1))
		}
	}
	spread("w1", 27, 8, 3, 3, 3)
	b.randInit(r, "b1", 0.5, 8)
	spread("w2", 9, 8, 1, 3, 3)
	b.randInit(r, "b2", 0.5, 8)
	spread("w3", 8, 6, 8, 1, 1)
	b.randInit(r, "b3", 0.5, 6)
	b.randInit(r, "w4", 1, 5, 24)
	b.randInit(r, "b4", 0.5, 5)
	b.node("c1", "Conv", []string{"x", "w1", "b1"}, []string{"y1"}, ints("pads", 1, 1, 1, 1))
	if act == "Clip" {
		b.init("lo", scalar(0))
		b.init("hi", scalar(6))
		b.node("a1", "Clip", []string{"y1", "lo", "hi"}, []string{"z1"})
	} else {
		b.node("a1", "Relu", []string{"y1"}, []string{"z1"})
	}
	b.node("c2", "Conv", []string{"z1", "w2", "b2"}, []string{"y2"}, ints("pads", 1, 1, 1, 1), aint("group", 8))
	b.node("a2", "LeakyRelu", []string{"y2"}, []string{"z2"}, aflt("alpha", 0.1))
	b.node("c3", "Conv", []string{"z2", "w3", "b3"}, []string{"y3"})
	b.node("a3", "Relu", []string{"y3"}, []string{"z3"})
	b.node("p3", "MaxPool", []string{"z3"}, []string{"m3"}, ints("kernel_shape", 2, 2), ints("strides", 2, 2))
	b.node("f", "Flatten", []string{"m3"}, []string{"v"})
	b.node("fc", "Gemm", []string{"v", "w4", "b4"}, []string{"out"}, aint("transB", 1))
	return b.outputs("out")
}

func runFloat(t *testing.T, m *graph.Model, in map[string]*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	s, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out[m.Graph.Outputs[0].Name]
}

// TestCLEKeepsFunction: with homogeneous activations (ReLU, LeakyReLU,
// MaxPool) the equalized model computes the original model's outputs (the
// reference is the untouched model run by the float engine), the caller's
// tensors are untouched, and every pair ends with equal per-channel
// ranges on both sides (checked with a plain loop over the weights).
func TestCLEKeepsFunction(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	m := cleTestModel(r, "Relu")
	orig := map[string][]float32{}
	for k, v := range m.Graph.Initializers {
		orig[k] = append([]float32(nil), v.F32...)
	}
	x := map[string]*tensor.Tensor{"x": randInput(r, 1, 2, 3, 4, 4)}
	want := runFloat(t, m, x)

	pm := passes.Clone(m)
	res, warns, err := equalize(pm)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings without ReLU6: %v", warns)
	}
	var pairs []string
	for _, p := range res.Pairs {
		pairs = append(pairs, p.Head+">"+p.Tail)
	}
	if got := len(pairs); got != 3 {
		t.Fatalf("pairs %v, want c1>c2, c2>c3, c3>fc", pairs)
	}
	t.Logf("pairs %v, %d sweeps", pairs, res.Sweeps)
	got := runFloat(t, pm, x)
	for i := range want.F32 {
		if d := math.Abs(float64(got.F32[i] - want.F32[i])); d > 1e-4*(1+math.Abs(float64(want.F32[i]))) {
			t.Fatalf("output %d: %g after CLE, %g before", i, got.F32[i], want.F32[i])
		}
	}
	for k, v := range m.Graph.Initializers {
		for i := range v.F32 {
			if v.F32[i] != orig[k][i] {
				t.Fatalf("caller's initializer %q modified", k)
			}
		}
	}
	g := pm.Graph
	W := func(n string) []float32 { return g.Initializers[n].F32 }
	// Per-channel ranges, plain loops over the ONNX layouts.
	outRange := func(w []float32, oc int) []float64 {
		r := make([]float64, oc)
		per := len(w) / oc
		for i, v := range w {
			r[i/per] = max(r[i/per], math.Abs(float64(v)))
		}
		return r
	}
	inRangeConv := func(w []float32, oc, ic, k int) []float64 { // group 1, [oc, ic, k]
		r := make([]float64, ic)
		for o := 0; o < oc; o++ {
			for c := 0; c < ic; c++ {
				for j := 0; j < k; j++ {
					r[c] = max(r[c], math.Abs(float64(w[(o*ic+c)*k+j])))
				}
			}
		}
		return r
	}
	check := func(name string, a, b []float64) {
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-3*max(a[i], b[i]) {
				t.Errorf("%s channel %d: head range %g, tail range %g", name, i, a[i], b[i])
			}
		}
	}
	check("c1>c2", outRange(W("w1"), 8), outRange(W("w2"), 8)) // depthwise: in channel = out channel
	check("c2>c3", outRange(W("w2"), 8), inRangeConv(W("w3"), 6, 8, 1))
	fc := make([]float64, 6) // Gemm transB: w4 [5, 24], feature c·4+k reads channel c
	for o := 0; o < 5; o++ {
		for f := 0; f < 24; f++ {
			fc[f/4] = max(fc[f/4], math.Abs(float64(W("w4")[o*24+f])))
		}
	}
	check("c3>fc", outRange(W("w3"), 6), fc)
}

// TestCLEReLU6: a Clip(0,6) between a pair becomes a Relu (with a warning
// naming it); with inputs small enough that no activation reaches 6 the
// function is unchanged.
func TestCLEReLU6(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	m := cleTestModel(r, "Clip")
	x := map[string]*tensor.Tensor{"x": randInput(r, 0.05, 2, 3, 4, 4)}
	want := runFloat(t, m, x)
	pm := passes.Clone(m)
	res, warns, err := equalize(pm)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || len(res.Pairs) != 3 || !res.Pairs[0].ReplacedReLU6 {
		t.Fatalf("pairs %+v, warnings %v: want the Clip a1 replaced", res.Pairs, warns)
	}
	if n := pm.Graph.NodeByName("a1"); n.OpType != "Relu" || len(n.Inputs) != 1 {
		t.Fatalf("a1 is %s%v, want Relu", n.OpType, n.Inputs)
	}
	if m.Graph.NodeByName("a1").OpType != "Clip" {
		t.Fatal("caller's node modified")
	}
	got := runFloat(t, pm, x)
	for i := range want.F32 {
		if d := math.Abs(float64(got.F32[i] - want.F32[i])); d > 1e-4*(1+math.Abs(float64(want.F32[i]))) {
			t.Fatalf("output %d: %g after CLE, %g before", i, got.F32[i], want.F32[i])
		}
	}
}

// TestCLESkips: a head whose output has two readers (a residual), and a
// weight shared by two nodes, are not equalized.
func TestCLESkips(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	b := newModel(13, fin("x", 1, 4, 3, 3))
	b.randInit(r, "w1", 1, 4, 4, 1, 1)
	b.randInit(r, "w2", 1, 4, 4, 1, 1)
	b.node("c1", "Conv", []string{"x", "w1"}, []string{"y1"})
	b.node("c2", "Conv", []string{"y1", "w2"}, []string{"y2"})
	b.node("add", "Add", []string{"y1", "y2"}, []string{"y3"})
	b.node("c3", "Conv", []string{"y3", "w2"}, []string{"y4"})
	m := b.outputs("y4")
	res, _, err := equalize(passes.Clone(m))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 0 {
		t.Fatalf("pairs %+v, want none", res.Pairs)
	}
}

// TestCLEConvTranspose: ConvTranspose (weights [in, out, k...]) as the
// tail and the head of pairs; the function is kept and the ranges of the
// shared channels are equal (plain loops over that layout).
func TestCLEConvTranspose(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	b := newModel(13, fin("x", 1, 4, 3, 3))
	b.randInit(r, "w1", 1, 6, 4, 1, 1)
	for i := range b.m.Graph.Initializers["w1"].F32 {
		b.m.Graph.Initializers["w1"].F32[i] *= float32(math.Pow(10, float64(i/4%3)-2)) // rows 0.01, 0.1, 1
	}
	b.randInit(r, "b1", 0.01, 6)
	b.randInit(r, "t1", 1, 6, 5, 2, 2)
	b.randInit(r, "bt1", 0.5, 5)
	b.randInit(r, "t2", 1, 5, 3, 3, 3)
	b.node("c1", "Conv", []string{"x", "w1", "b1"}, []string{"y1"})
	b.node("a1", "Relu", []string{"y1"}, []string{"z1"})
	b.node("ct1", "ConvTranspose", []string{"z1", "t1", "bt1"}, []string{"y2"}, ints("strides", 2, 2))
	b.node("a2", "Relu", []string{"y2"}, []string{"z2"})
	b.node("ct2", "ConvTranspose", []string{"z2", "t2"}, []string{"out"})
	m := b.outputs("out")
	x := map[string]*tensor.Tensor{"x": randInput(r, 1, 1, 4, 3, 3)}
	want := runFloat(t, m, x)
	pm := passes.Clone(m)
	res, _, err := equalize(pm)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 2 {
		t.Fatalf("pairs %+v, want c1>ct1 and ct1>ct2", res.Pairs)
	}
	got := runFloat(t, pm, x)
	for i := range want.F32 {
		if d := math.Abs(float64(got.F32[i] - want.F32[i])); d > 1e-4*(1+math.Abs(float64(want.F32[i]))) {
			t.Fatalf("output %d: %g after CLE, %g before", i, got.F32[i], want.F32[i])
		}
	}
	g := pm.Graph
	w1, t1, t2 := g.Initializers["w1"].F32, g.Initializers["t1"].F32, g.Initializers["t2"].F32
	for c := 0; c < 6; c++ { // c1 out c = w1 row c; ct1 in c = t1[c, :, :, :]
		a, bb := 0.0, 0.0
		for i := 0; i < 4; i++ {
			a = max(a, math.Abs(float64(w1[c*4+i])))
		}
		for i := 0; i < 20; i++ {
			bb = max(bb, math.Abs(float64(t1[c*20+i])))
		}
		if math.Abs(a-bb) > 1e-3*max(a, bb) {
			t.Errorf("c1>ct1 channel %d: ranges %g and %g", c, a, bb)
		}
	}
	for o := 0; o < 5; o++ { // ct1 out o = t1[:, o, :, :]; ct2 in o = t2[o, :, :, :]
		a, bb := 0.0, 0.0
		for c := 0; c < 6; c++ {
			for k := 0; k < 4; k++ {
				a = max(a, math.Abs(float64(t1[(c*5+o)*4+k])))
			}
		}
		for i := 0; i < 27; i++ {
			bb = max(bb, math.Abs(float64(t2[o*27+i])))
		}
		if math.Abs(a-bb) > 1e-3*max(a, bb) {
			t.Errorf("ct1>ct2 channel %d: ranges %g and %g", o, a, bb)
		}
	}
}
