package ops

import "testing"

func TestLessOrEqual(t *testing.T) {
	mtONNX(t, "test_less_equal", "test_less_equal_bcast", "test_less_equal_expanded", "test_less_equal_bcast_expanded")
	mtCompareCommon(t, "LessOrEqual", func(a, b float64) bool { return a <= b })
	mtWantErr(t, 13, mtNode("LessOrEqual"), []string{"bool", "not supported"}, mtBool(nil, true), mtBool(nil, true))
}
