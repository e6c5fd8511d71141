package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestTileRepeats(t *testing.T) {
	// np.tile([[1,2],[3,4]], (2,3)), written out by hand.
	x := &tensor.Tensor{DType: tensor.Int32, Shape: []int{2, 2}, I32: []int32{1, 2, 3, 4}}
	got := shapeRun(t, 13, shapeNode("Tile", 1), x, shapeI64(2, 3))[0]
	shapeWant(t, "int32", got, &tensor.Tensor{DType: tensor.Int32, Shape: []int{4, 6}, I32: []int32{
		1, 2, 1, 2, 1, 2,
		3, 4, 3, 4, 3, 4,
		1, 2, 1, 2, 1, 2,
		3, 4, 3, 4, 3, 4}})
	got = shapeRun(t, 13, shapeNode("Tile", 1), x, shapeI64(0, 1))[0]
	shapeWant(t, "zero repeats", got, &tensor.Tensor{DType: tensor.Int32, Shape: []int{0, 2}})
}

func TestTileErrors(t *testing.T) {
	x := shapeF32Seq(2, 2)
	shapeWantErr(t, 13, shapeNode("Tile", 1), "repeats has 1 values", x, shapeI64(2))
	shapeWantErr(t, 13, shapeNode("Tile", 1), "repeats[1] is -1", x, shapeI64(1, -1))
	shapeWantErr(t, 13, shapeNode("Tile", 1), "more than", x, shapeI64(1<<20, 1<<20))
	shapeWantErr(t, 13, shapeNode("Tile", 1), "too large", x, shapeI64(1<<31, 1))
}
