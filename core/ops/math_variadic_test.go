package ops

import (
	"testing"

	"fixq/core/tensor"
)

// mtVariadicCommon checks a variadic op (Max, Min, Sum, Mean) on three
// inputs broadcast together ([2,1], [3], [4,1,1]: none has the output
// shape) against a plain loop over f, and its error cases.
func mtVariadicCommon(t *testing.T, op string, f func(a, b float32) float32) {
	t.Helper()
	a := []float32{1, -2}
	b := []float32{0.5, 3, -1}
	c := []float32{2, -3, 0, 7}
	want := make([]float32, 0, 24)
	for i := 0; i < 4; i++ {
		for j := 0; j < 2; j++ {
			for k := 0; k < 3; k++ {
				want = append(want, f(f(a[j], b[k]), c[i]))
			}
		}
	}
	if op == "Mean" {
		for i := range want {
			want[i] /= 3
		}
	}
	mtWant(t, 13, mtNode(op), tensor.FromFloat32(want, 4, 2, 3),
		mtF32([]int{2, 1}, a...), mtF32([]int{3}, b...), mtF32([]int{4, 1, 1}, c...))
	// One input is a copy.
	mtWant(t, 13, mtNode(op), mtF32([]int{2}, a...), mtF32([]int{2}, a...))

	x := mtF32([]int{2}, 1, 2)
	mtWantErr(t, 13, mtNode(op), []string{"has no inputs"})
	mtWantErr(t, 13, mtNode(op), []string{"input 1 is missing"}, x, nil)
	mtWantErr(t, 13, mtNode(op), []string{"input 2 is int64, input 0 is float32"}, x, x, mtI64(nil, 1))
	mtWantErr(t, 13, mtNode(op), []string{"cannot be broadcast"}, x, x, mtF32([]int{3}, 1, 2, 3))
	mtWantErr(t, 13, mtNode(op), []string{"bool"}, mtBool(nil, true))
}
