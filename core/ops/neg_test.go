package ops

import (
	"math"
	"testing"
)

func TestNeg(t *testing.T) {
	mtONNX(t, "test_neg", "test_neg_example")
	mtWant(t, 13, mtNode("Neg"), mtF32([]int{3}, 1, -0, -2.5), mtF32([]int{3}, -1, 0, 2.5))
	mtWant(t, 13, mtNode("Neg"), mtI64([]int{3}, -4, math.MinInt64, 0), mtI64([]int{3}, 4, math.MinInt64, 0))
	mtWant(t, 13, mtNode("Neg"), mtI32([]int{2}, -4, 5), mtI32([]int{2}, 4, -5))
	mtWant(t, 13, mtNode("Neg"), mtI8([]int{2}, -4, -128), mtI8([]int{2}, 4, -128))
	mtWantErr(t, 13, mtNode("Neg"), []string{"uint8"}, mtU8([]int{1}, 1))
}
