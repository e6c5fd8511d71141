package ops

import (
	"testing"

	"fixq/core/tensor"
)

// Expected values below were computed with numpy.pad (modes reflect,
// edge, wrap, constant), whose semantics ONNX's Pad follows.

func TestPadModesNumpy(t *testing.T) {
	x := tensor.FromInt64([]int64{1, 2, 3, 4, 5, 6}, 2, 3)
	i64 := func(shape []int, v ...int64) *tensor.Tensor { return tensor.FromInt64(v, shape...) }
	// Reflect beyond dim-1 repeats the reflection: np.pad(x, ((0,0),(4,5)), 'reflect').
	got := shapeRun(t, 13, shapeNode("Pad", 1, shapeAStr("mode", "reflect")), x, shapeI64(0, 4, 0, 5))[0]
	shapeWant(t, "reflect", got, i64([]int{2, 12}, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5, 6, 5))
	got = shapeRun(t, 13, shapeNode("Pad", 1, shapeAStr("mode", "edge")), x, shapeI64(1, 2, 0, 1))[0]
	shapeWant(t, "edge", got, i64([]int{3, 6}, 1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6))
	// Wrap pads up to the axis length (numpy's wrap differs from a plain
	// modulo beyond that).
	got = shapeRun(t, 19, shapeNode("Pad", 1, shapeAStr("mode", "wrap")), x, shapeI64(0, 2, 0, 2))[0]
	shapeWant(t, "wrap", got, i64([]int{2, 7}, 2, 3, 1, 2, 3, 1, 2, 5, 6, 4, 5, 6, 4, 5))
	// Constant with a negative (cropping) pad and a constant_value input.
	got = shapeRun(t, 13, shapeNode("Pad", 1), x, shapeI64(1, -1, 1, 0), tensor.FromInt64([]int64{9}))[0]
	shapeWant(t, "constant crop", got, i64([]int{4, 2}, 9, 9, 2, 3, 5, 6, 9, 9))
	// Opset 18 axes: pad only axis -1, the same as pads (0,2,0,1) on both.
	got = shapeRun(t, 18, shapeNode("Pad", 1), x, shapeI64(2, 1), nil, shapeI64(-1))[0]
	shapeWant(t, "axes", got, i64([]int{2, 6}, 0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0))
}

func TestPadOldOpsets(t *testing.T) {
	x := tensor.FromFloat32([]float32{1, 2}, 1, 2)
	// Opset 2: pads and value attributes.
	got := shapeRun(t, 2, shapeNode("Pad", 1, shapeAInts("pads", 0, 1, 0, 2), shapeAFloat("value", 1.5)), x)[0]
	shapeWantF32(t, "opset 2", got, []int{1, 5}, []float32{1.5, 1, 2, 1.5, 1.5}, 0)
	// Opset 1: paddings; the float value converts for an integer input.
	u := &tensor.Tensor{DType: tensor.Uint8, Shape: []int{2}, U8: []uint8{7, 8}}
	got = shapeRun(t, 1, shapeNode("Pad", 1, shapeAInts("paddings", 1, 0), shapeAFloat("value", 3)), u)[0]
	shapeWant(t, "opset 1 uint8", got, &tensor.Tensor{DType: tensor.Uint8, Shape: []int{3}, U8: []uint8{3, 7, 8}})
}

func TestPadErrors(t *testing.T) {
	x := shapeF32Seq(2, 3)
	n := shapeNode("Pad", 1)
	shapeWantErr(t, 13, n, "pads has 2 values, want 4", x, shapeI64(1, 1))
	shapeWantErr(t, 13, n, "size of -1", x, shapeI64(0, -2, 0, -2))
	shapeWantErr(t, 13, shapeNode("Pad", 1, shapeAStr("mode", "edge")), "cannot pad axis 0 of length 0", tensor.MustNew(tensor.Float32, 0, 3), shapeI64(1, 0, 0, 0))
	shapeWantErr(t, 13, shapeNode("Pad", 1, shapeAStr("mode", "wrap")), "needs opset 19", x, shapeI64(0, 0, 0, 0))
	shapeWantErr(t, 13, shapeNode("Pad", 1, shapeAStr("mode", "mirror")), "unknown mode", x, shapeI64(0, 0, 0, 0))
	shapeWantErr(t, 13, n, "constant_value is int64", x, shapeI64(0, 0, 0, 0), shapeI64(1))
	shapeWantErr(t, 13, n, "needs opset 18", x, shapeI64(0, 0), nil, shapeI64(1))
	shapeWantErr(t, 13, n, "more than", x, shapeI64(1<<20, 1<<20, 1<<20, 1<<20))
	shapeWantErr(t, 10, n, "attribute pads is required", x)
}
