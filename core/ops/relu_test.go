package ops

import (
	"math"
	"testing"
)

func TestRelu(t *testing.T) {
	mtONNX(t, "test_relu")
	nan := float32(math.NaN())
	mtWant(t, 14, mtNode("Relu"), mtF32([]int{2, 3}, 0, 0, 0, 0.5, 3, nan),
		mtF32([]int{2, 3}, -1, float32(math.Inf(-1)), 0, 0.5, 3, nan))
	mtWant(t, 14, mtNode("Relu"), mtI64([]int{3}, 0, 0, 7), mtI64([]int{3}, math.MinInt64, 0, 7))
	mtWant(t, 14, mtNode("Relu"), mtI8([]int{2}, 0, 127), mtI8([]int{2}, -128, 127))
	mtWantErr(t, 14, mtNode("Relu"), []string{"bool", "not supported"}, mtBool([]int{1}, true))
	mtWantErr(t, 14, mtNode("Relu", mtAFloat("alpha", 1)), []string{`unsupported attribute "alpha"`}, mtF32([]int{1}, 1))
	mtWantErr(t, 14, mtNode("Relu"), []string{"2 inputs"}, mtF32([]int{1}, 1), mtF32([]int{1}, 1))
	mtWantErr(t, 14, mtNode("Relu"), []string{"input 0 is missing"}, nil)
}
