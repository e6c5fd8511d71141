package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestSplitForms(t *testing.T) {
	x := shapeF32Seq(2, 7)
	row := func(a, b int) []float32 { // columns [a,b) of both rows of x
		var v []float32
		for r := range 2 {
			for c := a; c < b; c++ {
				v = append(v, float32(r*7+c))
			}
		}
		return v
	}
	// Opset 11: split attribute.
	outs := shapeRun(t, 11, shapeNode("Split", 2, shapeAInt("axis", 1), shapeAInts("split", 3, 4)), x)
	shapeWantF32(t, "attr 0", outs[0], []int{2, 3}, row(0, 3), 0)
	shapeWantF32(t, "attr 1", outs[1], []int{2, 4}, row(3, 7), 0)
	// Opset 13: split input (int64), negative axis.
	outs = shapeRun(t, 13, shapeNode("Split", 3, shapeAInt("axis", -1)), x, shapeI64(2, 0, 5))
	shapeWantF32(t, "input 0", outs[0], []int{2, 2}, row(0, 2), 0)
	shapeWantF32(t, "input 1", outs[1], []int{2, 0}, nil, 0)
	shapeWantF32(t, "input 2", outs[2], []int{2, 5}, row(2, 7), 0)
	// Opset 18: num_outputs with an uneven last part: ceil(7/3) = 3, 3, 1.
	outs = shapeRun(t, 18, shapeNode("Split", 3, shapeAInt("axis", 1), shapeAInt("num_outputs", 3)), x)
	shapeWantF32(t, "num_outputs 2", outs[2], []int{2, 1}, row(6, 7), 0)
	shapeWantF32(t, "num_outputs 1", outs[1], []int{2, 3}, row(3, 6), 0)
	// Equal parts on int8.
	i8 := &tensor.Tensor{DType: tensor.Int8, Shape: []int{4}, I8: []int8{-1, 2, -3, 4}}
	outs = shapeRun(t, 13, shapeNode("Split", 2), i8)
	shapeWant(t, "int8", outs[1], &tensor.Tensor{DType: tensor.Int8, Shape: []int{2}, I8: []int8{-3, 4}})
}

func TestSplitErrors(t *testing.T) {
	x := shapeF32Seq(2, 7)
	shapeWantErr(t, 13, shapeNode("Split", 2, shapeAInt("axis", 1)), "equal parts", x)
	shapeWantErr(t, 13, shapeNode("Split", 2, shapeAInt("axis", 1)), "sums to 6", x, shapeI64(3, 3))
	shapeWantErr(t, 13, shapeNode("Split", 2, shapeAInt("axis", 1)), "split has 3 values", x, shapeI64(3, 3, 1))
	shapeWantErr(t, 13, shapeNode("Split", 2, shapeAInt("axis", 1)), "split[0] is -1", x, shapeI64(-1, 8))
	shapeWantErr(t, 13, shapeNode("Split", 2, shapeAInts("split", 3, 4)), "not an attribute", x)
	shapeWantErr(t, 11, shapeNode("Split", 2, shapeAInt("axis", 2)), "out of range", x)
	shapeWantErr(t, 13, shapeNode("Split", 2, shapeAInt("num_outputs", 2)), "needs opset 18", x)
	shapeWantErr(t, 18, shapeNode("Split", 2, shapeAInt("num_outputs", 3)), "num_outputs is 3", x)
}
