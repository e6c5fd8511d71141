package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestExpandBroadcast(t *testing.T) {
	// [3,1] to [2,1,4]: output [2,3,4], out[a,b,c] = x[b] (hand-derived).
	x := tensor.FromInt64([]int64{10, 20, 30}, 3, 1)
	got := shapeRun(t, 13, shapeNode("Expand", 1), x, shapeI64(2, 1, 4))[0]
	want := tensor.MustNew(tensor.Int64, 2, 3, 4)
	for a := range 2 {
		for b := range 3 {
			for c := range 4 {
				want.I64[(a*3+b)*4+c] = x.I64[b]
			}
		}
	}
	shapeWant(t, "int64", got, want)
	// A shorter target keeps the input's rank; bool data.
	b := &tensor.Tensor{DType: tensor.Bool, Shape: []int{2, 1}, B: []bool{true, false}}
	got = shapeRun(t, 13, shapeNode("Expand", 1), b, shapeI64(2))[0]
	shapeWant(t, "bool", got, &tensor.Tensor{DType: tensor.Bool, Shape: []int{2, 2}, B: []bool{true, true, false, false}})
	// Scalar to [2]; dim 0.
	got = shapeRun(t, 13, shapeNode("Expand", 1), tensor.FromFloat32([]float32{4}), shapeI64(2))[0]
	shapeWantF32(t, "scalar", got, []int{2}, []float32{4, 4}, 0)
	got = shapeRun(t, 13, shapeNode("Expand", 1), x, shapeI64(0, 3, 2))[0]
	shapeWant(t, "empty", got, tensor.MustNew(tensor.Int64, 0, 3, 2))
}

func TestExpandErrors(t *testing.T) {
	x := shapeF32Seq(3, 2)
	shapeWantErr(t, 13, shapeNode("Expand", 1), "cannot expand shape [3 2] to [4 2]", x, shapeI64(4, 2))
	shapeWantErr(t, 13, shapeNode("Expand", 1), "invalid dim -1", x, shapeI64(-1, 2))
	// Absurd growth is refused before allocating.
	shapeWantErr(t, 13, shapeNode("Expand", 1), "more than", shapeF32Seq(1), shapeI64(1<<20, 1<<20, 1<<20))
}
