package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestSizeCounts(t *testing.T) {
	shapeWant(t, "2x3x4", shapeRun(t, 13, shapeNode("Size", 1), tensor.MustNew(tensor.Int8, 2, 3, 4))[0], tensor.FromInt64([]int64{24}))
	shapeWant(t, "scalar", shapeRun(t, 13, shapeNode("Size", 1), tensor.FromInt64([]int64{9}))[0], tensor.FromInt64([]int64{1}))
	shapeWant(t, "empty", shapeRun(t, 13, shapeNode("Size", 1), tensor.MustNew(tensor.Float32, 3, 0))[0], tensor.FromInt64([]int64{0}))
	shapeWantErr(t, 13, shapeNode("Size", 1), "input 0 is missing")
}
