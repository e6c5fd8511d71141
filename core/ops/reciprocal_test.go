package ops

import "testing"

func TestReciprocal(t *testing.T) {
	mtONNX(t, "test_reciprocal", "test_reciprocal_example")
	mtUnaryRef(t, "Reciprocal", 13, func(x float64) float64 { return 1 / x }, -4, -0.5, 0.25, 3, mtInf)
	mtWantErr(t, 13, mtNode("Reciprocal"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Reciprocal"), []string{"has 0 inputs"})
}
