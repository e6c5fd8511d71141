package ops

import "testing"

func TestMul(t *testing.T) {
	mtONNX(t, "test_mul", "test_mul_bcast", "test_mul_example", "test_mul_uint8")
	mtWant(t, 14, mtNode("Mul"), mtF32([]int{2, 2, 2}, 1, 2, 6, 8, 5, 6, 14, 16),
		mtF32([]int{2, 2, 2}, 1, 2, 3, 4, 5, 6, 7, 8), mtF32([]int{2, 1}, 1, 2))
	mtWant(t, 14, mtNode("Mul"), mtI32([]int{3}, -6, 0, 1<<30), mtI32([]int{3}, -3, 0, 1<<29), mtI32(nil, 2))
	mtWant(t, 14, mtNode("Mul"), mtI32([]int{1}, -(1<<31)), mtI32([]int{1}, 1<<30), mtI32(nil, 2)) // wraps
	mtArithErrors(t, "Mul")
}
