package ops

import "testing"

func TestNot(t *testing.T) {
	mtONNX(t, "test_not_2d", "test_not_3d", "test_not_4d")
	mtWant(t, 1, mtNode("Not"), mtBool([]int{2}, false, true), mtBool([]int{2}, true, false))
	mtWantErr(t, 1, mtNode("Not"), []string{"int64", "Not takes bool"}, mtI64(nil, 1))
	mtWantErr(t, 1, mtNode("Not"), []string{"has 2 inputs"}, mtBool(nil, true), mtBool(nil, true))
}
