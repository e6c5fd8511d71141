package ops

import (
	"math"
	"testing"
)

func TestErf(t *testing.T) {
	mtONNX(t, "test_erf")
	mtUnaryRef(t, "Erf", 13, math.Erf, -3, -0.5, 0, 0.1, 1, 5, mtInf)
	mtWantErr(t, 13, mtNode("Erf"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Erf"), []string{"has 0 inputs"})
}
