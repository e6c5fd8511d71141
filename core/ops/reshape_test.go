package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestReshapeForms(t *testing.T) {
	x := shapeF32Seq(2, 3, 4)
	// 0 copies, -1 infers; the result shares x's storage.
	got := shapeRun(t, 13, shapeNode("Reshape", 1), x, shapeI64(0, -1))[0]
	shapeWantF32(t, "0,-1", got, []int{2, 12}, x.F32, 0)
	if &got.F32[0] != &x.F32[0] {
		t.Errorf("Reshape copied; want a view of the input")
	}
	// Opset 1-4: shape attribute.
	got = shapeRun(t, 4, shapeNode("Reshape", 1, shapeAInts("shape", 4, -1)), x)[0]
	shapeWantF32(t, "attr", got, []int{4, 6}, x.F32, 0)
	// allowzero=1: 0 is a real empty dim.
	e := tensor.MustNew(tensor.Int64, 0, 3)
	got = shapeRun(t, 14, shapeNode("Reshape", 1, shapeAInt("allowzero", 1)), e, shapeI64(3, 0))[0]
	shapeWant(t, "allowzero", got, tensor.MustNew(tensor.Int64, 3, 0))
	// Without allowzero, 0 copies the input's 0.
	got = shapeRun(t, 14, shapeNode("Reshape", 1), e, shapeI64(0, 3, 1))[0]
	shapeWant(t, "copy 0", got, tensor.MustNew(tensor.Int64, 0, 3, 1))
	// To a scalar and back; int32 shape input.
	s := tensor.FromInt64([]int64{7}, 1)
	sh := &tensor.Tensor{DType: tensor.Int32, Shape: []int{0}}
	got = shapeRun(t, 13, shapeNode("Reshape", 1), s, sh)[0]
	shapeWant(t, "scalar", got, tensor.FromInt64([]int64{7}))
}

func TestReshapeErrors(t *testing.T) {
	x := shapeF32Seq(2, 3, 4)
	n := shapeNode("Reshape", 1)
	shapeWantErr(t, 13, n, "more than one -1", x, shapeI64(-1, -1))
	shapeWantErr(t, 13, n, "(24 elements) to [5 5]", x, shapeI64(5, 5))
	shapeWantErr(t, 13, n, "-1 cannot be inferred", x, shapeI64(5, -1))
	shapeWantErr(t, 13, n, "input [2 3 4] has rank 3", x, shapeI64(1, 1, 1, 0))
	shapeWantErr(t, 13, n, "invalid dim -2", x, shapeI64(-2, 12))
	shapeWantErr(t, 13, n, "too large", x, shapeI64(1<<40, 1<<40))
	shapeWantErr(t, 13, n, "more than", x, shapeI64(1<<20, 1<<20, 1<<20))
	shapeWantErr(t, 13, n, "input 1 (shape) is missing", x)
	shapeWantErr(t, 13, n, "want int64 or int32", x, shapeF32Seq(2))
	shapeWantErr(t, 14, shapeNode("Reshape", 1, shapeAInt("allowzero", 1)), "both -1 and 0", tensor.MustNew(tensor.Float32, 0, 3), shapeI64(0, -1))
	shapeWantErr(t, 3, n, "attribute shape is required", x)
}
