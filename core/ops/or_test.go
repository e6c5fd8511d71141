package ops

import "testing"

func TestOr(t *testing.T) {
	mtONNX(t, "test_or2d", "test_or3d", "test_or4d", "test_or_bcast3v1d", "test_or_bcast3v2d",
		"test_or_bcast4v2d", "test_or_bcast4v3d", "test_or_bcast4v4d")
	mtLogicCommon(t, "Or", func(a, b bool) bool { return a || b })
}
