package ops

import (
	"math"
	"testing"
)

func TestLog(t *testing.T) {
	mtONNX(t, "test_log", "test_log_example")
	mtUnaryRef(t, "Log", 13, math.Log, 0, 1e-30, 0.5, 1, 2.718, 1e30, -1, mtInf)
	mtWantErr(t, 13, mtNode("Log"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Log"), []string{"has 0 inputs"})
}
