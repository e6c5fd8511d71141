package ops

import (
	"math"
	"testing"
)

func TestSigmoid(t *testing.T) {
	mtONNX(t, "test_sigmoid", "test_sigmoid_example")
	mtUnaryRef(t, "Sigmoid", 13, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, -100, -1, 0, 0.5, 3, 100, mtInf, -mtInf)
	mtWantErr(t, 13, mtNode("Sigmoid"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Sigmoid"), []string{"has 0 inputs"})
}
