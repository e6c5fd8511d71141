package ops

import (
	"math"
	"testing"
)

func TestMax(t *testing.T) {
	mtONNX(t, "test_max_example", "test_max_float32", "test_max_int32", "test_max_int64", "test_max_int8",
		"test_max_one_input", "test_max_two_inputs", "test_max_uint8")
	nan := float32(math.NaN())
	mtWant(t, 13, mtNode("Max"), mtF32([]int{2, 3}, 5, 5, nan, nan, 5, nan),
		mtF32([]int{2, 3}, 1, 2, 3, nan, 5, 6), mtF32(nil, 5), mtF32([]int{3}, -1, 0, nan))
	mtVariadicCommon(t, "Max", func(a, b float32) float32 { return float32(math.Max(float64(a), float64(b))) })
	mtWant(t, 13, mtNode("Max"), mtI64([]int{2}, 3, math.MaxInt64), mtI64([]int{2}, 1, math.MaxInt64), mtI64(nil, 3))
}
