package ops

import "testing"

func TestIdentity(t *testing.T) {
	mtONNX(t, "test_identity")
	x := mtI64([]int{2}, 1, 2)
	if got := mtRun(t, 16, mtNode("Identity"), x); got != x {
		t.Error("Identity did not return its input")
	}
	mtWantErr(t, 16, mtNode("Identity"), []string{"input 0 is missing"}, nil)
	mtWantErr(t, 16, mtNode("Identity"), []string{"has 2 inputs"}, x, x)
}
