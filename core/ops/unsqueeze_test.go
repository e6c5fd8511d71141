package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestUnsqueezeForms(t *testing.T) {
	x := &tensor.Tensor{DType: tensor.Int32, Shape: []int{3}, I32: []int32{1, 2, 3}}
	want := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{DType: tensor.Int32, Shape: shape, I32: []int32{1, 2, 3}}
	}
	shapeWant(t, "input", shapeRun(t, 13, shapeNode("Unsqueeze", 1), x, shapeI64(-1, 0))[0], want(1, 3, 1))
	shapeWant(t, "attr", shapeRun(t, 11, shapeNode("Unsqueeze", 1, shapeAInts("axes", 1)), x)[0], want(3, 1))
	s := tensor.FromInt64([]int64{5})
	shapeWant(t, "scalar", shapeRun(t, 13, shapeNode("Unsqueeze", 1), s, shapeI64(0))[0], shapeI64(5))
	shapeWantErr(t, 13, shapeNode("Unsqueeze", 1), "axes are required", x)
	shapeWantErr(t, 13, shapeNode("Unsqueeze", 1), "listed twice", x, shapeI64(0, -3))
	shapeWantErr(t, 13, shapeNode("Unsqueeze", 1), "out of range", x, shapeI64(2))
}
