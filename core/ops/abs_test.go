package ops

import (
	"math"
	"testing"
)

func TestAbs(t *testing.T) {
	mtONNX(t, "test_abs")
	nan := float32(math.NaN())
	mtWant(t, 13, mtNode("Abs"), mtF32([]int{5}, 1, 0, 2.5, mtInf, nan), mtF32([]int{5}, -1, float32(math.Copysign(0, -1)), 2.5, -mtInf, nan))
	mtWant(t, 13, mtNode("Abs"), mtI64([]int{2}, 4, 5), mtI64([]int{2}, -4, 5))
	mtWant(t, 13, mtNode("Abs"), mtI32([]int{2}, 4, 5), mtI32([]int{2}, -4, 5))
	mtWant(t, 13, mtNode("Abs"), mtI8([]int{2}, 4, -128), mtI8([]int{2}, -4, -128))
	mtWant(t, 13, mtNode("Abs"), mtU8([]int{2}, 200, 0), mtU8([]int{2}, 200, 0))
	mtWantErr(t, 13, mtNode("Abs"), []string{"bool"}, mtBool([]int{1}, true))
}
