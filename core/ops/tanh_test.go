package ops

import (
	"math"
	"testing"
)

func TestTanh(t *testing.T) {
	mtONNX(t, "test_tanh", "test_tanh_example")
	mtUnaryRef(t, "Tanh", 13, math.Tanh, -100, -1, 0, 0.5, 3, 100, mtInf)
	mtWantErr(t, 13, mtNode("Tanh"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Tanh"), []string{"has 0 inputs"})
}
