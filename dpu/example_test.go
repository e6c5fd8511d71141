package dpu_test

import (
	"fmt"
	"strings"

	"fixq/core/graph"
	"fixq/core/tensor"
	"fixq/dpu"
)

// A 3x3 conv followed by a Sigmoid: the conv goes to the DPU, the Sigmoid
// to the CPU. Shapes would normally come from core/engine.InferShapes.
func ExampleInspect() {
	g := &graph.Graph{Name: "tiny",
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}}}
	g.SetInitializer("w", &tensor.Tensor{DType: tensor.Float32, Shape: []int{16, 3, 3, 3}})
	conv := &graph.Node{Name: "conv", OpType: "Conv", Inputs: []string{"x", "w"}, Outputs: []string{"c"}}
	conv.SetAttr(&graph.Attr{Name: "pads", Type: graph.AttrInts, Ints: []int64{1, 1, 1, 1}})
	g.Nodes = []*graph.Node{conv, {Name: "sig", OpType: "Sigmoid", Inputs: []string{"c"}, Outputs: []string{"y"}}}
	m := &graph.Model{Opsets: map[string]int64{"": 13}, Graph: g}
	shapes := map[string][]int{"x": {1, 3, 32, 32}, "w": {16, 3, 3, 3}, "c": {1, 16, 32, 32}, "y": {1, 16, 32, 32}}

	t, _ := dpu.LookupTarget("DPUCZDX8G_ISA1_B4096")
	rep, err := dpu.Inspect(m, shapes, t)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range rep.Nodes {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s %s %s %s", n.Name, n.Device, n.Engine, n.Constraint)))
	}
	fmt.Printf("%d DPU and %d CPU subgraphs\n", rep.Summary.DPUSubgraphs, rep.Summary.CPUSubgraphs)
	lr := dpu.EstimateLatency(rep, shapes, t, 300)
	fmt.Printf("conv: %d MACs, %d cycles\n", lr.Layers[0].MACs, lr.Layers[0].Cycles)
	// 32·32·16 outputs × 3·3·3 taps = 442368 MACs; cycles: ceil(1024/8) pixel
	// groups × 3 kernel rows × ceil(3·3/16) augmented channel blocks × 1.
	// Output:
	// x USER
	// conv DPU conv
	// sig CPU  Sigmoid runs on CPU
	// 1 DPU and 1 CPU subgraphs
	// conv: 442368 MACs, 384 cycles
}
