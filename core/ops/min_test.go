package ops

import (
	"math"
	"testing"
)

func TestMin(t *testing.T) {
	mtONNX(t, "test_min_example", "test_min_float32", "test_min_int32", "test_min_int64", "test_min_int8",
		"test_min_one_input", "test_min_two_inputs", "test_min_uint8")
	nan := float32(math.NaN())
	mtWant(t, 13, mtNode("Min"), mtF32([]int{2, 3}, -1, 0, nan, nan, 0, nan),
		mtF32([]int{2, 3}, 1, 2, 3, nan, 5, 6), mtF32(nil, 5), mtF32([]int{3}, -1, 0, nan))
	mtVariadicCommon(t, "Min", func(a, b float32) float32 { return float32(math.Min(float64(a), float64(b))) })
	mtWant(t, 13, mtNode("Min"), mtI64([]int{2}, 1, math.MinInt64), mtI64([]int{2}, 1, math.MinInt64), mtI64(nil, 3))
}
