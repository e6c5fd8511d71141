package ops

import (
	"math"
	"testing"
)

func TestCeil(t *testing.T) {
	mtONNX(t, "test_ceil", "test_ceil_example")
	mtUnaryRef(t, "Ceil", 13, math.Ceil, -1.5, -0.5, 0, 0.5, 1.5, 2, 1e20)
	mtWantErr(t, 13, mtNode("Ceil"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Ceil"), []string{"has 0 inputs"})
}
