package quant_test

import (
	"context"
	"fmt"

	"fixq/core/graph"
	"fixq/core/quant"
	"fixq/core/tensor"
)

// Quantize a one-layer model y = Relu(x·W) with one calibration batch and
// read the chosen fix positions and shifts.
func ExampleQuantize() {
	m := &graph.Model{IRVersion: 8, Opsets: map[string]int64{"": 13}, Graph: &graph.Graph{
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: []graph.Dim{{Value: -1, Param: "N"}, {Value: 2}}}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32, Shape: []graph.Dim{{Value: -1, Param: "N"}, {Value: 2}}}},
		Nodes: []*graph.Node{
			{Name: "fc", OpType: "MatMul", Inputs: []string{"x", "w"}, Outputs: []string{"h"}},
			{Name: "relu", OpType: "Relu", Inputs: []string{"h"}, Outputs: []string{"y"}},
		},
	}}
	m.Graph.SetInitializer("w", tensor.FromFloat32([]float32{0.5, -0.25, 0.75, 1}, 2, 2))
	batch := map[string]*tensor.Tensor{"x": tensor.FromFloat32([]float32{1, -0.5, 0.25, 0.75}, 2, 2)}
	res, err := quant.Quantize(context.Background(), m, &quant.SliceSource{Batches: []map[string]*tensor.Tensor{batch}}, quant.Config{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Info.Tensors {
		fmt.Printf("%s %s fix_pos %d\n", t.Kind, t.Name, t.FixPos)
	}
	for _, n := range res.Info.Nodes {
		if n.ShiftCut != nil {
			fmt.Printf("%s fused into %s, shift_cut %d\n", n.Name, n.FusedInto, *n.ShiftCut)
		}
	}
	// By hand (§1.3): w's max 1 gives 127.5 -> 6, exact at fp 6 while fp 7
	// saturates 1.0; x likewise 6; y = [0.125 0; 0.6875 0.6875], 127.5/0.6875
	// = 185 -> 7, exact there; shift_cut = 6+6-7 = 5 (§2.1).

	// Output:
	// weight w fix_pos 6
	// input x fix_pos 6
	// activation y fix_pos 7
	// fc fused into relu, shift_cut 5
}
