package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestConcatShapeSubgraph(t *testing.T) {
	// Shape->Gather->Concat->Reshape builds a target shape from int64 parts.
	n := shapeNode("Concat", 1, shapeAInt("axis", 0))
	got := shapeRun(t, 13, n, shapeI64(1, 2), shapeI64(), shapeI64(-1))[0]
	shapeWant(t, "int64", got, shapeI64(1, 2, -1))
}

func TestConcatAxes(t *testing.T) {
	// [2,1,2] and [2,2,2] on axis 1, by hand.
	a := tensor.FromFloat32([]float32{0, 1, 2, 3}, 2, 1, 2)
	b := tensor.FromFloat32([]float32{10, 11, 12, 13, 14, 15, 16, 17}, 2, 2, 2)
	got := shapeRun(t, 13, shapeNode("Concat", 1, shapeAInt("axis", -2)), a, b)[0]
	shapeWantF32(t, "axis 1", got, []int{2, 3, 2}, []float32{0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17}, 0)
	// Opset 1: axis defaults to 1.
	got = shapeRun(t, 1, shapeNode("Concat", 1), a, b)[0]
	shapeWantF32(t, "opset 1 default", got, []int{2, 3, 2}, []float32{0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17}, 0)
	// Bool and an empty input.
	x := &tensor.Tensor{DType: tensor.Bool, Shape: []int{1, 2}, B: []bool{true, false}}
	e := &tensor.Tensor{DType: tensor.Bool, Shape: []int{0, 2}}
	got = shapeRun(t, 13, shapeNode("Concat", 1, shapeAInt("axis", 0)), e, x, x)[0]
	shapeWant(t, "bool", got, &tensor.Tensor{DType: tensor.Bool, Shape: []int{2, 2}, B: []bool{true, false, true, false}})
}

func TestConcatErrors(t *testing.T) {
	n := shapeNode("Concat", 1, shapeAInt("axis", 0))
	shapeWantErr(t, 13, n, "input 1 is float32", shapeI64(1), shapeF32Seq(1))
	shapeWantErr(t, 13, n, "input 1 is int32", shapeI64(1), &tensor.Tensor{DType: tensor.Int32, Shape: []int{1}, I32: []int32{1}})
	shapeWantErr(t, 13, n, "ranks differ", shapeF32Seq(1, 2), shapeF32Seq(2))
	shapeWantErr(t, 13, n, "dim 1 differs", shapeF32Seq(1, 2), shapeF32Seq(1, 3))
	shapeWantErr(t, 13, shapeNode("Concat", 1, shapeAInt("axis", 2)), "out of range", shapeF32Seq(1, 2))
	shapeWantErr(t, 13, shapeNode("Concat", 1), "axis is required", shapeF32Seq(1, 2))
	shapeWantErr(t, 13, n, "missing", shapeF32Seq(1, 2), nil)
	shapeWantErr(t, 13, shapeNode("Concat", 1, shapeAInt("axis", 0), shapeAInt("bogus", 1)), "unknown attribute", shapeF32Seq(1))
}
