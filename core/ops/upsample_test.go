package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestUpsampleForms(t *testing.T) {
	x := resizeTorchX()
	// Upsample nearest is PyTorch's legacy nearest (asymmetric, floor).
	got := shapeRun(t, 9, shapeNode("Upsample", 1, shapeAStr("mode", "nearest")), x, tensor.FromFloat32([]float32{1, 1, 2, 2}, 4))[0]
	shapeWantF32(t, "opset 9", got, []int{1, 2, 6, 8}, resizeTorchNearest, 0)
	got = shapeRun(t, 7, shapeNode("Upsample", 1, shapeAFloats("scales", 1, 1, 2, 2)), x)[0]
	shapeWantF32(t, "opset 7", got, []int{1, 2, 6, 8}, resizeTorchNearest, 0)
	// Linear, asymmetric with border clamping (by hand): x_orig = 0, .5, 1, 1.5.
	got = shapeRun(t, 9, shapeNode("Upsample", 1, shapeAStr("mode", "linear")), tensor.FromFloat32([]float32{1, 2}, 1, 2), tensor.FromFloat32([]float32{1, 2}, 2))[0]
	shapeWantF32(t, "linear", got, []int{1, 4}, []float32{1, 1.5, 2, 2}, 0)
	// Bool nearest.
	b := &tensor.Tensor{DType: tensor.Bool, Shape: []int{2}, B: []bool{true, false}}
	got = shapeRun(t, 9, shapeNode("Upsample", 1), b, tensor.FromFloat32([]float32{2}, 1))[0]
	shapeWant(t, "bool", got, &tensor.Tensor{DType: tensor.Bool, Shape: []int{4}, B: []bool{true, true, false, false}})
}

func TestUpsampleErrors(t *testing.T) {
	x := shapeF32Seq(2, 2)
	shapeWantErr(t, 9, shapeNode("Upsample", 1), "below 1", x, tensor.FromFloat32([]float32{1, 0.5}, 2))
	shapeWantErr(t, 7, shapeNode("Upsample", 1), "scales is required", x)
	shapeWantErr(t, 9, shapeNode("Upsample", 1, shapeAStr("mode", "cubic")), "unknown mode", x, tensor.FromFloat32([]float32{1, 2}, 2))
	shapeWantErr(t, 6, shapeNode("Upsample", 1), "not supported", x)
}
