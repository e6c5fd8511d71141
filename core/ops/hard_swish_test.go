package ops

import "testing"

func TestHardSwish(t *testing.T) {
	mtONNX(t, "test_hardswish", "test_hardswish_expanded")
	// x * max(0, min(1, x/6 + 0.5))
	mtWant(t, 14, mtNode("HardSwish"), mtF32([]int{5}, 0, 0, 0, 2*(2.0/6+0.5), 4),
		mtF32([]int{5}, -4, -3, 0, 2, 4))
	mtWantErr(t, 14, mtNode("HardSwish"), []string{"int32"}, mtI32([]int{1}, 1))
}
