package ops

import (
	"math"
	"testing"
)

func TestSqrt(t *testing.T) {
	mtONNX(t, "test_sqrt", "test_sqrt_example")
	mtUnaryRef(t, "Sqrt", 13, math.Sqrt, 0, 1e-30, 0.5, 2, 9, -1, mtInf)
	mtWantErr(t, 13, mtNode("Sqrt"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Sqrt"), []string{"has 0 inputs"})
}
