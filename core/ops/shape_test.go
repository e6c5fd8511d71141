package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestShapeStartEnd(t *testing.T) {
	x := tensor.MustNew(tensor.Bool, 2, 3, 4)
	shapeWant(t, "all", shapeRun(t, 13, shapeNode("Shape", 1), x)[0], shapeI64(2, 3, 4))
	shapeWant(t, "start>end", shapeRun(t, 15, shapeNode("Shape", 1, shapeAInt("start", 2), shapeAInt("end", 1)), x)[0], shapeI64())
	shapeWant(t, "-2:", shapeRun(t, 15, shapeNode("Shape", 1, shapeAInt("start", -2)), x)[0], shapeI64(3, 4))
	shapeWant(t, "scalar", shapeRun(t, 15, shapeNode("Shape", 1), tensor.FromInt64([]int64{1}))[0], shapeI64())
	shapeWantErr(t, 13, shapeNode("Shape", 1, shapeAInt("start", 1)), "need opset 15", x)
}
