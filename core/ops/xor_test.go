package ops

import "testing"

func TestXor(t *testing.T) {
	mtONNX(t, "test_xor2d", "test_xor3d", "test_xor4d", "test_xor_bcast3v1d", "test_xor_bcast3v2d",
		"test_xor_bcast4v2d", "test_xor_bcast4v3d", "test_xor_bcast4v4d")
	mtLogicCommon(t, "Xor", func(a, b bool) bool { return a != b })
}
