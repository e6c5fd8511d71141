package ops

import (
	"math"
	"testing"
)

func TestRange(t *testing.T) {
	mtONNX(t, "test_range_float_type_positive_delta", "test_range_int32_type_negative_delta")
	// The ONNX spec's examples.
	mtWant(t, 11, mtNode("Range"), mtI64([]int{2}, 3, 6), mtI64(nil, 3), mtI64(nil, 9), mtI64(nil, 3))
	mtWant(t, 11, mtNode("Range"), mtI32([]int{3}, 10, 8, 6), mtI32(nil, 10), mtI32(nil, 4), mtI32(nil, -2))
	mtWant(t, 11, mtNode("Range"), mtF32([]int{4}, 0, 0.25, 0.5, 0.75), mtF32(nil, 0), mtF32(nil, 1), mtF32(nil, 0.25))
	mtWant(t, 11, mtNode("Range"), mtF32([]int{2}, 1, 2.5), mtF32(nil, 1), mtF32(nil, 3.5), mtF32(nil, 1.5))
	mtWant(t, 11, mtNode("Range"), mtI64([]int{0}), mtI64(nil, 5), mtI64(nil, 1), mtI64(nil, 1))
	mtWant(t, 11, mtNode("Range"), mtI64([]int{3}, 0, 3, 6), mtI64(nil, 0), mtI64(nil, 7), mtI64(nil, 3))
	// Extremes: the count is exact without overflow.
	mtWant(t, 11, mtNode("Range"), mtI64([]int{3}, math.MinInt64, -1, math.MaxInt64-1), mtI64(nil, math.MinInt64), mtI64(nil, math.MaxInt64), mtI64(nil, math.MaxInt64))

	mtWantErr(t, 11, mtNode("Range"), []string{"delta is 0"}, mtI64(nil, 0), mtI64(nil, 5), mtI64(nil, 0))
	mtWantErr(t, 11, mtNode("Range"), []string{"delta is 0"}, mtF32(nil, 0), mtF32(nil, 5), mtF32(nil, 0))
	mtWantErr(t, 11, mtNode("Range"), []string{"more than"}, mtI64(nil, 0), mtI64(nil, math.MaxInt64), mtI64(nil, 1))
	mtWantErr(t, 11, mtNode("Range"), []string{"more than"}, mtF32(nil, 0), mtF32(nil, 1e30), mtF32(nil, 1))
	mtWantErr(t, 11, mtNode("Range"), []string{"no element count"}, mtF32(nil, 0), mtF32(nil, mtInf), mtF32(nil, mtInf))
	mtWantErr(t, 11, mtNode("Range"), []string{"limit is int32, start is int64"}, mtI64(nil, 0), mtI32(nil, 5), mtI64(nil, 1))
	mtWantErr(t, 11, mtNode("Range"), []string{"delta has shape [2], want a scalar"}, mtI64(nil, 0), mtI64(nil, 5), mtI64([]int{2}, 1, 1))
	mtWantErr(t, 11, mtNode("Range"), []string{"uint8", "not supported"}, mtU8(nil, 0), mtU8(nil, 5), mtU8(nil, 1))
}
