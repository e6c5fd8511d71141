package quant

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
)

// bcTestModel: Conv 3x3 (16 -> 8 channels, group 2, stride 2, asymmetric
// pads) then Gemm (transB) on a flattened map, both with biases, inputs in
// [0, 1) so E[x] is far from 0 and weight rounding shifts the outputs.
func bcTestModel(r *rand.Rand) *graph.Model {
	b := newModel(13, fin("x", 4, 16, 7, 6))
	b.randInit(r, "w1", 0.7, 8, 8, 3, 3)
	b.randInit(r, "b1", 0.3, 8)
	b.randInit(r, "w2", 0.9, 5, 8*3*3)
	b.randInit(r, "b2", 0.3, 5)
	b.node("c1", "Conv", []string{"x", "w1", "b1"}, []string{"y1"},
		ints("kernel_shape", 3, 3), ints("pads", 1, 0, 0, 1), ints("strides", 2, 2), aint("group", 2))
	b.node("f", "Flatten", []string{"y1"}, []string{"v"})
	b.node("fc", "Gemm", []string{"v", "w2", "b2"}, []string{"out"}, aint("transB", 1))
	return b.outputs("out")
}

// layerMeanShift returns, per output channel of node, mean(quantized
// layer(x_q)) - mean(float layer(x_q)) over the calibration batches, where
// x_q is the layer's input in the simulation. Both layers are run by the
// float engine on a one-node graph (an independent computation of the
// conv, not the window sums of biascorr.go).
func layerMeanShift(t *testing.T, res *Result, floatModel *graph.Model, node string, batches []map[string]*tensor.Tensor) []float64 {
	t.Helper()
	ctx := context.Background()
	n := res.Prepared.Graph.NodeByName(node)
	var xq []*tensor.Tensor
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	sim.capture = func(pt *Point, v *tensor.Tensor) {
		if pt.Tensor == n.Inputs[0] {
			xq = append(xq, v.Clone())
		}
	}
	for _, b := range batches {
		if _, err := sim.Run(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	one := func(inits map[string]*tensor.Tensor) *engine.Session {
		nn := *n
		g := &graph.Graph{Name: "one", Nodes: []*graph.Node{&nn}, Initializers: map[string]*tensor.Tensor{},
			Inputs: []graph.ValueInfo{{Name: n.Inputs[0], DType: tensor.Float32}}, Outputs: []graph.ValueInfo{{Name: n.Outputs[0], DType: tensor.Float32}}}
		for _, in := range n.Inputs[1:] {
			g.SetInitializer(in, inits[in])
		}
		s, err := engine.NewSession(&graph.Model{IRVersion: 8, Opsets: map[string]int64{"": 13}, Graph: g}, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	qs := one(res.Plan.dequantizedParams(res.Prepared.Graph))
	fs := one(floatModel.Graph.Initializers)
	var diff []float64
	cnt := 0.0
	for _, x := range xq {
		in := map[string]*tensor.Tensor{n.Inputs[0]: x}
		qo, err := qs.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		fo, err := fs.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		q, f := qo[n.Outputs[0]], fo[n.Outputs[0]]
		c := q.Shape[1]
		per := len(q.F32) / (q.Shape[0] * c)
		if diff == nil {
			diff = make([]float64, c)
		}
		for i := range q.F32 {
			diff[(i/per)%c] += float64(q.F32[i]) - float64(f.F32[i])
		}
		cnt += float64(len(q.F32) / c)
	}
	for i := range diff {
		diff[i] /= cnt
	}
	return diff
}

// TestBiasCorrectionRemovesShift: after bias correction the quantized
// layers' mean outputs match the float layers' on the same quantized
// inputs to within half a bias LSB (the corrected bias is rounded to
// int8), where without it they are off by the weight rounding's ΔW·E[x].
func TestBiasCorrectionRemovesShift(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	m := bcTestModel(r)
	var batches []map[string]*tensor.Tensor
	for i := 0; i < 5; i++ {
		x := tensor.MustNew(tensor.Float32, 4, 16, 7, 6)
		for j := range x.F32 {
			x.F32[j] = r.Float32()
		}
		batches = append(batches, map[string]*tensor.Tensor{"x": x})
	}
	ctx := context.Background()
	plain, err := Quantize(ctx, m, &SliceSource{Batches: batches}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := Quantize(ctx, m, &SliceSource{Batches: batches}, Config{BiasCorrection: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range bc.Warnings {
		t.Logf("warning: %s", w)
	}
	for _, node := range []string{"c1", "fc"} {
		before := layerMeanShift(t, plain, m, node, batches)
		after := layerMeanShift(t, bc, m, node, batches)
		lsb := math.Ldexp(1, -bc.Plan.Point(bc.Plan.NodePlan(node).Bias).FixPos)
		var sb, sa float64
		for c := range after {
			sb += math.Abs(before[c])
			sa += math.Abs(after[c])
			if math.Abs(after[c]) > lsb/2+1e-6 {
				t.Errorf("%s channel %d: mean shift %g after correction, more than half a bias LSB (%g)", node, c, after[c], lsb/2)
			}
		}
		t.Logf("%s: mean |shift| %.5f without, %.5f with bias correction (bias LSB %g)", node, sb/float64(len(after)), sa/float64(len(after)), lsb)
		if sa >= sb/2 {
			t.Errorf("%s: bias correction did not halve the mean output shift (%g -> %g)", node, sb, sa)
		}
	}
}

func TestConvOut(t *testing.T) {
	for _, c := range []struct {
		size, k, s, d, p0, p1 int
		auto                  string
		out, lead             int
	}{
		{7, 3, 2, 1, 1, 0, "NOTSET", 3, 1},
		{6, 3, 2, 1, 0, 1, "NOTSET", 3, 0},
		{5, 3, 1, 2, 0, 0, "NOTSET", 1, 0},
		{7, 3, 2, 1, 0, 0, "SAME_UPPER", 4, 1},
		{8, 3, 2, 1, 0, 0, "SAME_UPPER", 4, 0},
		{8, 3, 2, 1, 0, 0, "SAME_LOWER", 4, 1},
		{7, 3, 2, 1, 0, 0, "VALID", 3, 0},
	} {
		out, lead := convOut(c.size, c.k, c.s, c.d, c.p0, c.p1, c.auto)
		if out != c.out || lead != c.lead {
			t.Errorf("%+v: got out %d lead %d", c, out, lead)
		}
	}
}
