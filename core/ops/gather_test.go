package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestGatherForms(t *testing.T) {
	x := shapeF32Seq(3, 4)
	// Scalar index on axis 0 (the Shape->Gather pattern): a row of rank 1.
	got := shapeRun(t, 13, shapeNode("Gather", 1), x, tensor.FromInt64([]int64{-1}))[0]
	shapeWantF32(t, "scalar index", got, []int{4}, []float32{8, 9, 10, 11}, 0)
	// int32 2-D indices on axis -1.
	ind := &tensor.Tensor{DType: tensor.Int32, Shape: []int{2, 2}, I32: []int32{3, 0, -3, 3}}
	got = shapeRun(t, 13, shapeNode("Gather", 1, shapeAInt("axis", -1)), x, ind)[0]
	shapeWantF32(t, "axis -1", got, []int{3, 2, 2}, []float32{3, 0, 1, 3, 7, 4, 5, 7, 11, 8, 9, 11}, 0)
	// Shape subgraph on int64: dims 2 and 3 of [1,3,32,48].
	shp := shapeI64(1, 3, 32, 48)
	got = shapeRun(t, 13, shapeNode("Gather", 1, shapeAInt("axis", 0)), shp, shapeI64(2, 3))[0]
	shapeWant(t, "int64", got, shapeI64(32, 48))
	// Empty indices.
	got = shapeRun(t, 13, shapeNode("Gather", 1), x, shapeI64())[0]
	shapeWantF32(t, "empty", got, []int{0, 4}, nil, 0)
}

func TestGatherErrors(t *testing.T) {
	x := shapeF32Seq(3, 4)
	shapeWantErr(t, 13, shapeNode("Gather", 1), "index 3 is out of range", x, shapeI64(3))
	shapeWantErr(t, 13, shapeNode("Gather", 1), "index -4 is out of range", x, shapeI64(-4))
	shapeWantErr(t, 13, shapeNode("Gather", 1), "indices are float32", x, shapeF32Seq(1))
	shapeWantErr(t, 13, shapeNode("Gather", 1, shapeAInt("axis", 2)), "out of range for rank 2", x, shapeI64(0))
	shapeWantErr(t, 13, shapeNode("Gather", 1), "indices) is missing", x)
}
