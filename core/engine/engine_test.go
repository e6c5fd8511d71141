package engine

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Tests of the engine's bookkeeping: which storage it recycles and when,
// views, constants computed once, KeepAll, overrides and AfterNode. The
// expected values are plain arithmetic on the inputs, worked out here.

func node(op, name string, in, out []string, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: name, OpType: op, Inputs: in, Outputs: out, Attrs: map[string]*graph.Attr{}}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
		n.AttrOrder = append(n.AttrOrder, a.Name)
	}
	return n
}

func f32(v ...float32) *tensor.Tensor { return tensor.FromFloat32(v, len(v)) }

func model(g *graph.Graph) *graph.Model {
	return &graph.Model{Opsets: map[string]int64{"": 13}, Graph: g}
}

func vi(name string) graph.ValueInfo { return graph.ValueInfo{Name: name, DType: tensor.Float32} }

func run(t *testing.T, s *Session, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	out, err := s.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantF32(t *testing.T, what string, got *tensor.Tensor, want ...float32) {
	t.Helper()
	if got == nil || got.DType != tensor.Float32 || len(got.F32) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range want {
		if got.F32[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, got.F32, want)
		}
	}
}

// chain: x -> a = x+x -> r = Reshape(a) (a view of a) -> b = a*c (c a
// Constant) -> y = b + r, and z = Relu(x) a second output. a dies after b
// but its view r lives on until y: a's storage must not be recycled
// (into b or y) while r is alive.
func chainGraph() *graph.Graph {
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{vi("x")},
		Outputs: []graph.ValueInfo{vi("y"), vi("z")},
		Nodes: []*graph.Node{
			node("Constant", "c", nil, []string{"c"}, &graph.Attr{Name: "value", Type: graph.AttrTensor, T: f32(3)}),
			node("Add", "add", []string{"x", "x"}, []string{"a"}),
			node("Reshape", "reshape", []string{"a", "shape"}, []string{"r"}),
			node("Mul", "mul", []string{"a", "c"}, []string{"b"}),
			node("Add", "add2", []string{"b", "r"}, []string{"y"}),
			node("Relu", "relu", []string{"x"}, []string{"z"}),
		},
	}
	g.SetInitializer("shape", tensor.FromInt64([]int64{4}, 1))
	return g
}

func TestRunViewsAndRecycling(t *testing.T) {
	for _, opts := range []Options{{}, {AfterNode: func(*graph.Node, []*tensor.Tensor) error { return nil }}} {
		s, err := NewSession(model(chainGraph()), opts)
		if err != nil {
			t.Fatal(err)
		}
		x1 := f32(1, -2, 3, -4)
		out1 := run(t, s, map[string]*tensor.Tensor{"x": x1})
		// a = 2x; y = 3a + a = 8x.
		wantF32(t, "y", out1["y"], 8, -16, 24, -32)
		wantF32(t, "z", out1["z"], 1, 0, 3, 0)
		// A second run must not write into the first run's outputs, nor
		// into its input.
		out2 := run(t, s, map[string]*tensor.Tensor{"x": f32(0.5, 0.5, 0.5, 0.5)})
		wantF32(t, "y (run 2)", out2["y"], 4, 4, 4, 4)
		wantF32(t, "y of run 1 after run 2", out1["y"], 8, -16, 24, -32)
		wantF32(t, "z of run 1 after run 2", out1["z"], 1, 0, 3, 0)
		wantF32(t, "x after two runs", x1, 1, -2, 3, -4)
		if len(out2) != 2 {
			t.Fatalf("Run returned %d values, want the 2 graph outputs", len(out2))
		}
	}
}

// The pool gets intermediates back: in a long chain of same-sized
// values, the steady state needs a couple of buffers, not one per node.
func TestRunRecyclesIntermediates(t *testing.T) {
	g := &graph.Graph{Inputs: []graph.ValueInfo{vi("x")}, Outputs: []graph.ValueInfo{vi("y")}}
	prev := "x"
	for i := 0; i < 20; i++ {
		o := "v" + string(rune('a'+i))
		if i == 19 {
			o = "y"
		}
		g.Nodes = append(g.Nodes, node("Add", "n"+o, []string{prev, prev}, []string{o}))
		prev = o
	}
	s, err := NewSession(model(g), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.MustNew(tensor.Float32, 1<<16)
	in := map[string]*tensor.Tensor{"x": x}
	run(t, s, in)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 5; i++ {
		run(t, s, in)
	}
	runtime.ReadMemStats(&after)
	// The output leaves the session (one 256 KiB buffer per run); every
	// intermediate must come from the pool, or a run would allocate 19
	// more such buffers.
	if per := (after.TotalAlloc - before.TotalAlloc) / 5; per > 2*(1<<18) {
		t.Fatalf("a run allocates %d bytes: intermediates are not recycled", per)
	}
}

func TestRunKeepAll(t *testing.T) {
	s, err := NewSession(model(chainGraph()), Options{KeepAll: true})
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, s, map[string]*tensor.Tensor{"x": f32(1, 2, 3, 4)})
	for _, name := range []string{"x", "c", "a", "r", "b", "y", "z", "shape"} {
		if out[name] == nil {
			t.Errorf("KeepAll: %q missing from %d values", name, len(out))
		}
	}
	wantF32(t, "a", out["a"], 2, 4, 6, 8)
	wantF32(t, "b", out["b"], 6, 12, 18, 24)
	wantF32(t, "c", out["c"], 3)
}

// Overriding an initializer, and AfterNode rewriting a Constant's output
// (which must then be recomputed every run, not cached).
func TestRunOverrideAndAfterNode(t *testing.T) {
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{vi("x")},
		Outputs: []graph.ValueInfo{vi("y")},
		Nodes: []*graph.Node{
			node("Constant", "c", nil, []string{"c"}, &graph.Attr{Name: "value", Type: graph.AttrTensor, T: f32(2)}),
			node("Mul", "mul", []string{"x", "c"}, []string{"m"}),
			node("Add", "add", []string{"m", "w"}, []string{"y"}),
		},
	}
	g.SetInitializer("w", f32(10))
	calls := 0
	s, err := NewSession(model(g), Options{AfterNode: func(n *graph.Node, outs []*tensor.Tensor) error {
		if n.Name == "c" {
			calls++
			outs[0].F32[0]++ // the constant becomes 3, every run
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		out := run(t, s, map[string]*tensor.Tensor{"x": f32(1, 2)})
		wantF32(t, "y", out["y"], 13, 16)
	}
	if calls != 2 {
		t.Fatalf("AfterNode saw the Constant %d times in 2 runs", calls)
	}
	out := run(t, s, map[string]*tensor.Tensor{"x": f32(1, 2), "w": f32(-1)})
	wantF32(t, "y with w overridden", out["y"], 2, 5)
	out = run(t, s, map[string]*tensor.Tensor{"x": f32(1, 2)})
	wantF32(t, "y after the override", out["y"], 13, 16)
	if g.Initializers["w"].F32[0] != 10 {
		t.Fatalf("the override changed the initializer")
	}
}

// Constants are computed once without AfterNode; a graph output that is a
// view of one must still be the caller's own copy.
func TestRunConstantOutputs(t *testing.T) {
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{vi("x")},
		Outputs: []graph.ValueInfo{vi("k"), vi("kv"), vi("y")},
		Nodes: []*graph.Node{
			node("Constant", "k", nil, []string{"k"}, &graph.Attr{Name: "value", Type: graph.AttrTensor, T: f32(1, 2)}),
			node("Constant", "c", nil, []string{"c"}, &graph.Attr{Name: "value", Type: graph.AttrTensor, T: f32(5, 6)}),
			node("Reshape", "kv", []string{"c", "shape"}, []string{"kv"}),
			node("Add", "add", []string{"x", "c"}, []string{"y"}),
		},
	}
	g.SetInitializer("shape", tensor.FromInt64([]int64{2, 1}, 2))
	s, err := NewSession(model(g), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, s, map[string]*tensor.Tensor{"x": f32(1, 1)})
	wantF32(t, "k", out["k"], 1, 2)
	wantF32(t, "kv", out["kv"], 5, 6)
	out["k"].F32[0], out["kv"].F32[0] = 100, 100
	out = run(t, s, map[string]*tensor.Tensor{"x": f32(1, 1)})
	wantF32(t, "k (run 2)", out["k"], 1, 2)
	wantF32(t, "kv (run 2)", out["kv"], 5, 6)
	wantF32(t, "y (run 2)", out["y"], 6, 7)
}

func TestRunErrors(t *testing.T) {
	s, err := NewSession(model(chainGraph()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   map[string]*tensor.Tensor
		want string
	}{
		{map[string]*tensor.Tensor{}, `missing input "x"`},
		{map[string]*tensor.Tensor{"x": f32(1, 2, 3, 4), "q": f32(1)}, `"q" is not an input`},
		{map[string]*tensor.Tensor{"x": f32(1, 2, 3)}, "reshape"},
	} {
		if _, err := s.Run(context.Background(), tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("inputs %v: error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
	// After errors, a good run still works.
	out := run(t, s, map[string]*tensor.Tensor{"x": f32(1, 1, 1, 1)})
	wantF32(t, "y", out["y"], 8, 8, 8, 8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, map[string]*tensor.Tensor{"x": f32(1, 1, 1, 1)}); err == nil {
		t.Fatal("a cancelled context did not stop the run")
	}
}
