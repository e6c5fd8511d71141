package ops

import (
	"math"
	"testing"
)

func TestExp(t *testing.T) {
	mtONNX(t, "test_exp", "test_exp_example")
	mtUnaryRef(t, "Exp", 13, math.Exp, -100, -1, 0, 0.5, 3, 88, 89, -mtInf)
	mtWantErr(t, 13, mtNode("Exp"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Exp"), []string{"has 0 inputs"})
}
