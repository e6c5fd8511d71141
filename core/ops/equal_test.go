package ops

import "testing"

func TestEqual(t *testing.T) {
	mtONNX(t, "test_equal", "test_equal_bcast")
	mtCompareCommon(t, "Equal", func(a, b float64) bool { return a == b })
	mtWant(t, 13, mtNode("Equal"), mtBool([]int{2, 2}, true, false, false, true),
		mtBool([]int{2, 1}, true, false), mtBool([]int{2}, true, false))
}
