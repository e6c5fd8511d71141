package ops

import "testing"

func TestLess(t *testing.T) {
	mtONNX(t, "test_less", "test_less_bcast")
	mtCompareCommon(t, "Less", func(a, b float64) bool { return a < b })
	mtWantErr(t, 13, mtNode("Less"), []string{"bool", "not supported"}, mtBool(nil, true), mtBool(nil, true))
}
