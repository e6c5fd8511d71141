package passes

import (
	"context"
	"math"
	"math/rand"
	"os"
	"testing"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

func randTensor(r *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = float32(r.NormFloat64())
	}
	return t
}

func run(t *testing.T, m *graph.Model, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	s, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// maxRelErr is max|a-b| / max|b| over all outputs.
func maxRelErr(t *testing.T, a, b map[string]*tensor.Tensor) float64 {
	t.Helper()
	worst := 0.0
	for k, bt := range b {
		at := a[k]
		if at == nil || !tensor.SameShape(at.Shape, bt.Shape) {
			t.Fatalf("output %q: shapes differ: %v vs %v", k, at, bt)
		}
		var maxAbs, maxDiff float64
		for i := range bt.F32 {
			maxAbs = math.Max(maxAbs, math.Abs(float64(bt.F32[i])))
			maxDiff = math.Max(maxDiff, math.Abs(float64(at.F32[i]-bt.F32[i])))
		}
		if maxAbs > 0 {
			worst = math.Max(worst, maxDiff/maxAbs)
		}
	}
	return worst
}

func node(name, op string, in, out []string, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: name, OpType: op, Inputs: in, Outputs: out}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	return n
}

func fdims(shape ...int64) []graph.Dim {
	d := make([]graph.Dim, len(shape))
	for i, v := range shape {
		d[i] = graph.Dim{Value: v}
	}
	return d
}

func TestFoldBatchNormConvAndGemm(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: fdims(2, 3, 8, 8)}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}, {Name: "z", DType: tensor.Float32}},
		Nodes: []*graph.Node{
			node("conv", "Conv", []string{"x", "w", "b"}, []string{"c"}, &graph.Attr{Name: "pads", Type: graph.AttrInts, Ints: []int64{1, 1, 1, 1}}),
			node("bn", "BatchNormalization", []string{"c", "s", "bb", "mean", "var"}, []string{"y"}, &graph.Attr{Name: "epsilon", Type: graph.AttrFloat, F: 1e-3}),
			node("flat", "Flatten", []string{"y"}, []string{"f"}),
			node("gemm", "Gemm", []string{"f", "gw", "gc"}, []string{"gy"}, &graph.Attr{Name: "transB", Type: graph.AttrInt, I: 1}, &graph.Attr{Name: "beta", Type: graph.AttrFloat, F: 0.5}),
			node("bn2", "BatchNormalization", []string{"gy", "s2", "bb2", "mean2", "var2"}, []string{"z"}),
		},
	}
	set := func(name string, tt *tensor.Tensor) { g.SetInitializer(name, tt) }
	set("w", randTensor(r, 4, 3, 3, 3))
	set("b", randTensor(r, 4))
	pos := func(n int) *tensor.Tensor {
		tt := randTensor(r, n)
		for i := range tt.F32 {
			tt.F32[i] = float32(math.Abs(float64(tt.F32[i]))) + 0.1
		}
		return tt
	}
	set("s", randTensor(r, 4))
	set("bb", randTensor(r, 4))
	set("mean", randTensor(r, 4))
	set("var", pos(4))
	set("gw", randTensor(r, 5, 256))
	set("gc", randTensor(r, 5))
	set("s2", randTensor(r, 5))
	set("bb2", randTensor(r, 5))
	set("mean2", randTensor(r, 5))
	set("var2", pos(5))
	m := &graph.Model{Opsets: map[string]int64{"": 13}, Graph: g}
	in := map[string]*tensor.Tensor{"x": randTensor(r, 2, 3, 8, 8)}
	want := run(t, m, in)
	c := Clone(m)
	if err := FoldBatchNorm(c); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Graph.Nodes {
		if n.OpType == "BatchNormalization" {
			t.Errorf("BN %s not folded", n.Name)
		}
	}
	if len(m.Graph.Nodes) != 5 || m.Graph.Nodes[0].Inputs[1] != "w" {
		t.Errorf("original model was modified")
	}
	got := run(t, c, in)
	if e := maxRelErr(t, got, want); e > 1e-5 {
		t.Errorf("folded model differs: rel err %g", e)
	}
}

func TestFoldBatchNormConvTransposeGroups(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: fdims(1, 4, 5, 5)}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}},
		Nodes: []*graph.Node{
			node("ct", "ConvTranspose", []string{"x", "w"}, []string{"c"}, &graph.Attr{Name: "group", Type: graph.AttrInt, I: 2}, &graph.Attr{Name: "strides", Type: graph.AttrInts, Ints: []int64{2, 2}}),
			node("bn", "BatchNormalization", []string{"c", "s", "bb", "mean", "var"}, []string{"y"}),
		},
	}
	g.SetInitializer("w", randTensor(r, 4, 3, 2, 2)) // IC=4, OC/g=3 -> OC=6
	for _, n := range []string{"s", "bb", "mean"} {
		g.SetInitializer(n, randTensor(r, 6))
	}
	v := randTensor(r, 6)
	for i := range v.F32 {
		v.F32[i] = v.F32[i]*v.F32[i] + 0.2
	}
	g.SetInitializer("var", v)
	m := &graph.Model{Opsets: map[string]int64{"": 13}, Graph: g}
	in := map[string]*tensor.Tensor{"x": randTensor(r, 1, 4, 5, 5)}
	want := run(t, m, in)
	c := Clone(m)
	if err := FoldBatchNorm(c); err != nil {
		t.Fatal(err)
	}
	if len(c.Graph.Nodes) != 1 {
		t.Fatalf("want 1 node after folding, have %d", len(c.Graph.Nodes))
	}
	if e := maxRelErr(t, run(t, c, in), want); e > 1e-5 {
		t.Errorf("folded model differs: rel err %g", e)
	}
}

func scalar(v float32) *tensor.Tensor { return tensor.FromFloat32([]float32{v}) }

func TestFuseHardSwishAndHardSigmoid(t *testing.T) {
	for _, opset := range []int64{9, 13} {
		r := rand.New(rand.NewSource(3))
		clipAttrs := []*graph.Attr{}
		clipIn := []string{"a"}
		if opset < 11 {
			clipAttrs = append(clipAttrs, &graph.Attr{Name: "min", Type: graph.AttrFloat, F: 0}, &graph.Attr{Name: "max", Type: graph.AttrFloat, F: 6})
		} else {
			clipIn = []string{"a", "zero", "six"}
		}
		g := &graph.Graph{
			Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: fdims(1, 2, 4, 4)}},
			Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}, {Name: "hs", DType: tensor.Float32}},
			Nodes: []*graph.Node{
				// hard-swish: x * clip(x+3, 0, 6) / 6 (Mul operands swapped)
				node("add", "Add", []string{"x", "three"}, []string{"a"}),
				node("clip", "Clip", clipIn, []string{"c"}, clipAttrs...),
				node("mul", "Mul", []string{"c", "x"}, []string{"m"}),
				node("div", "Div", []string{"m", "six"}, []string{"y"}),
				// hard-sigmoid: clip(y+3, 0, 6) * (1/6)
				node("add2", "Add", []string{"three", "y"}, []string{"a2"}),
				node("clip2", "Clip", append([]string{"a2"}, clipIn[1:]...), []string{"c2"}, clipAttrs...),
				node("mul2", "Mul", []string{"c2", "sixth"}, []string{"hs"}),
			},
		}
		g.SetInitializer("three", scalar(3))
		g.SetInitializer("six", scalar(6))
		g.SetInitializer("zero", scalar(0))
		g.SetInitializer("sixth", scalar(1.0/6))
		m := &graph.Model{Opsets: map[string]int64{"": opset}, Graph: g}
		x := randTensor(r, 1, 2, 4, 4)
		for i := range x.F32 {
			x.F32[i] *= 4
		}
		in := map[string]*tensor.Tensor{"x": x}
		want := run(t, m, in)
		c := Clone(m)
		if err := FuseHardSwish(c); err != nil {
			t.Fatal(err)
		}
		if err := FuseHardSigmoid(c); err != nil {
			t.Fatal(err)
		}
		if err := RemoveDead(c); err != nil {
			t.Fatal(err)
		}
		ops := map[string]int{}
		for _, n := range c.Graph.Nodes {
			ops[n.OpType]++
		}
		if len(c.Graph.Nodes) != 2 || ops["HardSwish"] != 1 || ops["HardSigmoid"] != 1 {
			t.Fatalf("opset %d: want HardSwish + HardSigmoid, have %v", opset, ops)
		}
		if e := maxRelErr(t, run(t, c, in), want); e > 1e-6 {
			t.Errorf("opset %d: fused model differs: rel err %g", opset, e)
		}
	}
}

func TestRemoveIdentityKeepsOutputs(t *testing.T) {
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: fdims(3)}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}, {Name: "xi", DType: tensor.Float32}},
		Nodes: []*graph.Node{
			node("id1", "Identity", []string{"x"}, []string{"a"}),
			node("relu", "Relu", []string{"a"}, []string{"r"}),
			node("drop", "Dropout", []string{"r"}, []string{"y"}),
			node("id2", "Identity", []string{"x"}, []string{"xi"}), // graph input -> output: must stay
		},
	}
	m := &graph.Model{Opsets: map[string]int64{"": 13}, Graph: g}
	in := map[string]*tensor.Tensor{"x": tensor.FromFloat32([]float32{-1, 0, 2}, 3)}
	want := run(t, m, in)
	if err := RemoveIdentity(m); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range m.Graph.Nodes {
		kinds = append(kinds, n.OpType)
	}
	if len(kinds) != 2 || kinds[0] != "Relu" || kinds[1] != "Identity" {
		t.Fatalf("nodes after RemoveIdentity: %v", kinds)
	}
	if e := maxRelErr(t, run(t, m, in), want); e != 0 {
		t.Errorf("outputs changed: %g", e)
	}
}

// TestPreparePaddleCls runs the whole preparation on the real PaddleOCR
// classifier: weights in Constant nodes, BN, written-out hard-swish with
// opset-9 Clip attributes and a Shape/Slice/Concat/Reshape flatten. The
// prepared model must give the original's outputs (rel 1e-5) at batch 1 and
// 3, and keep none of those constructs.
func TestPreparePaddleCls(t *testing.T) {
	b, err := os.ReadFile(testassets.PaddleCls(t))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	// Independent expectation from the file itself: one hard-swish per
	// Div-by-constant node (the exporter writes hard-swish as x*clip/6).
	wantHS := 0
	for _, n := range orig.Graph.Nodes {
		if n.OpType == "Div" {
			wantHS++
		}
	}
	m, _ := onnx.DecodeBytes(b)
	shapes := map[string][]int{"x": {0, 3, 48, 192}}
	if err := Prepare(m, shapes); err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, n := range m.Graph.Nodes {
		ops[n.OpType]++
	}
	for _, gone := range []string{"Constant", "BatchNormalization", "Shape", "Slice", "Concat", "Cast", "Div", "Clip"} {
		if ops[gone] != 0 {
			t.Errorf("%d %s nodes remain after Prepare", ops[gone], gone)
		}
	}
	if ops["HardSwish"] != wantHS {
		t.Errorf("HardSwish nodes: %d, want %d", ops["HardSwish"], wantHS)
	}
	t.Logf("prepared ops: %v", ops)
	r := rand.New(rand.NewSource(4))
	for _, batch := range []int{1, 3} {
		x := randTensor(r, batch, 3, 48, 192)
		in := map[string]*tensor.Tensor{"x": x}
		want := run(t, orig, in)
		got := run(t, m, in)
		if e := maxRelErr(t, got, want); e > 1e-5 {
			t.Errorf("batch %d: prepared model differs from the original: rel err %g", batch, e)
		}
	}
}
