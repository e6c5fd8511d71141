package ops

import "testing"

func TestGreater(t *testing.T) {
	mtONNX(t, "test_greater", "test_greater_bcast")
	mtCompareCommon(t, "Greater", func(a, b float64) bool { return a > b })
	mtWantErr(t, 13, mtNode("Greater"), []string{"bool", "not supported"}, mtBool(nil, true), mtBool(nil, true))
}
