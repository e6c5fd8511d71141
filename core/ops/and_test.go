package ops

import "testing"

func TestAnd(t *testing.T) {
	mtONNX(t, "test_and2d", "test_and3d", "test_and4d", "test_and_bcast3v1d", "test_and_bcast3v2d",
		"test_and_bcast4v2d", "test_and_bcast4v3d", "test_and_bcast4v4d")
	mtLogicCommon(t, "And", func(a, b bool) bool { return a && b })
}
