package ops

import (
	"math"
	"testing"
)

func TestDiv(t *testing.T) {
	mtONNX(t, "test_div", "test_div_bcast", "test_div_example", "test_div_uint8")
	nan := float32(math.NaN())
	mtWant(t, 14, mtNode("Div"), mtF32([]int{4}, 0.5, mtInf, -mtInf, nan),
		mtF32([]int{4}, 1, 1, -1, 0), mtF32([]int{4}, 2, 0, 0, 0))
	// Integer division truncates toward zero (C, onnxruntime).
	mtWant(t, 14, mtNode("Div"), mtI64([]int{4}, 3, -3, -3, 3), mtI64([]int{4}, 7, -7, 7, -7), mtI64([]int{4}, 2, 2, -2, -2))
	mtWant(t, 14, mtNode("Div"), mtI32([]int{2}, 3, -3), mtI32([]int{2}, 7, -7), mtI32(nil, 2))
	mtWant(t, 14, mtNode("Div"), mtI8([]int{2}, -3, -128), mtI8([]int{2}, 7, -128), mtI8([]int{2}, -2, 1))
	mtWant(t, 14, mtNode("Div"), mtI64([]int{1}, math.MinInt64), mtI64([]int{1}, math.MinInt64), mtI64(nil, -1))
	mtWantErr(t, 14, mtNode("Div"), []string{"integer division by zero"}, mtI64([]int{2}, 1, 2), mtI64([]int{2}, 1, 0))
	mtWantErr(t, 14, mtNode("Div"), []string{"integer division by zero"}, mtU8([]int{2}, 1, 2), mtU8(nil, 0))
	mtArithErrors(t, "Div")
}
