package ops

import (
	"math"
	"testing"
)

func TestSub(t *testing.T) {
	mtONNX(t, "test_sub", "test_sub_bcast", "test_sub_example", "test_sub_uint8")
	mtWant(t, 14, mtNode("Sub"), mtF32([]int{2, 3}, -9, -18, -27, -6, -15, -24),
		mtF32([]int{2, 3}, 1, 2, 3, 4, 5, 6), mtF32([]int{3}, 10, 20, 30))
	mtWant(t, 14, mtNode("Sub"), mtF32([]int{2, 3}, 9, 8, 7, 6, 5, 4),
		mtF32(nil, 10), mtF32([]int{2, 3}, 1, 2, 3, 4, 5, 6))
	mtWant(t, 14, mtNode("Sub"), mtI64([]int{2}, math.MaxInt64, 1), mtI64([]int{2}, math.MinInt64, 2), mtI64(nil, 1))
	mtWant(t, 14, mtNode("Sub"), mtU8([]int{2}, 255, 0), mtU8([]int{2}, 0, 1), mtU8(nil, 1))
	mtArithErrors(t, "Sub")
}
