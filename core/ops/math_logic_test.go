package ops

import (
	"testing"

	"fixq/core/tensor"
)

// mtLogicCommon checks And, Or or Xor on a broadcast [2,1] x [4] truth
// table against the Go operator f, and the errors.
func mtLogicCommon(t *testing.T, op string, f func(a, b bool) bool) {
	t.Helper()
	a := []bool{false, true}
	b := []bool{false, true, true, false}
	var want []bool
	for _, x := range a {
		for _, y := range b {
			want = append(want, f(x, y))
		}
	}
	mtWant(t, 7, mtNode(op), &tensor.Tensor{DType: tensor.Bool, Shape: []int{2, 4}, B: want},
		mtBool([]int{2, 1}, a...), mtBool([]int{4}, b...))
	mtWantErr(t, 7, mtNode(op), []string{"float32", "not supported"}, mtF32(nil, 1), mtF32(nil, 1))
	mtWantErr(t, 7, mtNode(op), []string{"different types"}, mtBool(nil, true), mtI64(nil, 1))
	mtWantErr(t, 7, mtNode(op), []string{"cannot be broadcast"}, mtBool([]int{2}, true, true), mtBool([]int{3}, true, true, true))
	mtWantErr(t, 7, mtNode(op, mtAInt("broadcast", 1)), []string{`unsupported attribute "broadcast"`}, mtBool(nil, true), mtBool(nil, true))
}
