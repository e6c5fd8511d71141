package ops_test

import (
	"context"
	"testing"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
)

// A PyTorch-style dynamic flatten, Shape -> Gather -> Unsqueeze -> Concat
// -> Reshape, run by the engine on int64 shape values: [2,3,4] becomes
// [2,12] with the data unchanged.
func TestShapeSubgraphThroughEngine(t *testing.T) {
	i64 := func(v ...int64) *tensor.Tensor { return tensor.FromInt64(v, len(v)) }
	g := &graph.Graph{
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32}},
		Outputs: []graph.ValueInfo{{Name: "y"}},
		Nodes: []*graph.Node{
			{Name: "shape", OpType: "Shape", Inputs: []string{"x"}, Outputs: []string{"s"}},
			{Name: "gather", OpType: "Gather", Inputs: []string{"s", "zero"}, Outputs: []string{"n"}},
			{Name: "unsq", OpType: "Unsqueeze", Inputs: []string{"n", "axes0"}, Outputs: []string{"n1"}},
			{Name: "concat", OpType: "Concat", Inputs: []string{"n1", "minus1"}, Outputs: []string{"target"},
				Attrs: map[string]*graph.Attr{"axis": {Name: "axis", Type: graph.AttrInt, I: 0}}, AttrOrder: []string{"axis"}},
			{Name: "reshape", OpType: "Reshape", Inputs: []string{"x", "target"}, Outputs: []string{"y"}},
		},
	}
	g.SetInitializer("zero", tensor.FromInt64([]int64{0}))
	g.SetInitializer("axes0", i64(0))
	g.SetInitializer("minus1", i64(-1))
	s, err := engine.NewSession(&graph.Model{Opsets: map[string]int64{"": 13}, Graph: g}, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.MustNew(tensor.Float32, 2, 3, 4)
	for i := range x.F32 {
		x.F32[i] = float32(i) * 0.25
	}
	out, err := s.Run(context.Background(), map[string]*tensor.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	y := out["y"]
	if y == nil || !tensor.SameShape(y.Shape, []int{2, 12}) {
		t.Fatalf("y is %v, want float32[2,12]", y)
	}
	for i, v := range y.F32 {
		if v != float32(i)*0.25 {
			t.Fatalf("y[%d] = %v, want %v", i, v, float32(i)*0.25)
		}
	}
}
