package ops

import (
	"testing"

	"fixq/core/tensor"
)

func TestWhere(t *testing.T) {
	mtONNX(t, "test_where_example", "test_where_long_example")
	// cond [2,1,1], X [3,1], Y [4]: output [2,3,4], against a plain loop.
	cond := []bool{true, false}
	x := []float32{1, 2, 3}
	y := []float32{-1, -2, -3, -4}
	var want []float32
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 4; k++ {
				if cond[i] {
					want = append(want, x[j])
				} else {
					want = append(want, y[k])
				}
			}
		}
	}
	mtWant(t, 16, mtNode("Where"), tensor.FromFloat32(want, 2, 3, 4),
		mtBool([]int{2, 1, 1}, cond...), mtF32([]int{3, 1}, x...), mtF32([]int{4}, y...))
	mtWant(t, 16, mtNode("Where"), mtI64([]int{3}, 7, 8, 7),
		mtBool([]int{3}, true, false, true), mtI64(nil, 7), mtI64([]int{3}, 8, 8, 8))
	mtWant(t, 16, mtNode("Where"), mtBool([]int{2}, true, true),
		mtBool([]int{2}, true, false), mtBool(nil, true), mtBool(nil, true))
	mtWant(t, 16, mtNode("Where"), mtU8([]int{2}, 1, 2), mtBool([]int{2}, true, false), mtU8(nil, 1), mtU8(nil, 2))

	mtWantErr(t, 16, mtNode("Where"), []string{"condition is float32, want bool"}, mtF32(nil, 1), mtF32(nil, 1), mtF32(nil, 1))
	mtWantErr(t, 16, mtNode("Where"), []string{"X is float32 but Y is int64"}, mtBool(nil, true), mtF32(nil, 1), mtI64(nil, 1))
	mtWantErr(t, 16, mtNode("Where"), []string{"cannot be broadcast"}, mtBool([]int{2}, true, true), mtF32([]int{3}, 1, 2, 3), mtF32(nil, 1))
	mtWantErr(t, 16, mtNode("Where"), []string{"want 3"}, mtBool(nil, true), mtF32(nil, 1))
}
