package ops

import "testing"

func TestGreaterOrEqual(t *testing.T) {
	mtONNX(t, "test_greater_equal", "test_greater_equal_bcast", "test_greater_equal_expanded", "test_greater_equal_bcast_expanded")
	mtCompareCommon(t, "GreaterOrEqual", func(a, b float64) bool { return a >= b })
	mtWantErr(t, 13, mtNode("GreaterOrEqual"), []string{"bool", "not supported"}, mtBool(nil, true), mtBool(nil, true))
}
