package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestSqueezeForms(t *testing.T) {
	x := &tensor.Tensor{DType: tensor.Uint8, Shape: []int{1, 3, 1, 1}, U8: []uint8{7, 8, 9}}
	want := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{DType: tensor.Uint8, Shape: shape, U8: []uint8{7, 8, 9}}
	}
	shapeWant(t, "all", shapeRun(t, 13, shapeNode("Squeeze", 1), x)[0], want(3))
	shapeWant(t, "empty axes", shapeRun(t, 13, shapeNode("Squeeze", 1), x, shapeI64())[0], want(3))
	shapeWant(t, "input", shapeRun(t, 13, shapeNode("Squeeze", 1), x, shapeI64(-1, 0))[0], want(3, 1))
	shapeWant(t, "attr", shapeRun(t, 11, shapeNode("Squeeze", 1, shapeAInts("axes", 2)), x)[0], want(1, 3, 1))
	shapeWantErr(t, 13, shapeNode("Squeeze", 1), "size is not 1", x, shapeI64(1))
	shapeWantErr(t, 13, shapeNode("Squeeze", 1), "listed twice", x, shapeI64(0, -4))
	shapeWantErr(t, 13, shapeNode("Squeeze", 1), "out of range", x, shapeI64(4))
	shapeWantErr(t, 13, shapeNode("Squeeze", 1, shapeAInts("axes", 0)), "not an attribute", x)
}
