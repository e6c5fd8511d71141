package ops

import (
	"math"
	"testing"
)

func TestAdd(t *testing.T) {
	mtONNX(t, "test_add", "test_add_bcast", "test_add_uint8")
	mtWant(t, 14, mtNode("Add"), mtF32([]int{2, 3}, 11, 22, 33, 14, 25, 36),
		mtF32([]int{2, 3}, 1, 2, 3, 4, 5, 6), mtF32([]int{3}, 10, 20, 30))
	mtWant(t, 14, mtNode("Add"), mtF32([]int{2, 1, 2}, 11, 21, 12, 22),
		mtF32([]int{2, 1, 1}, 1, 2), mtF32([]int{1, 2}, 10, 20))

	mtWant(t, 14, mtNode("Add"), mtI64([]int{2}, math.MinInt64, 3), mtI64([]int{2}, math.MaxInt64, 2), mtI64(nil, 1))
	mtWant(t, 14, mtNode("Add"), mtI32([]int{2}, 3, -1), mtI32([]int{2}, 1, -3), mtI32([]int{1}, 2))
	mtWant(t, 14, mtNode("Add"), mtI8([]int{2}, -128, 0), mtI8([]int{2}, 127, -1), mtI8(nil, 1))
	mtWant(t, 14, mtNode("Add"), mtF32(nil, 3), mtF32(nil, 1), mtF32(nil, 2))
	mtWant(t, 14, mtNode("Add"), mtF32([]int{0, 3}), mtF32([]int{0, 1}), mtF32([]int{3}, 1, 2, 3))
	// Before opset 7: B aligned at axis.
	mtWant(t, 6, mtNode("Add", mtAInt("broadcast", 1), mtAInt("axis", 1)),
		mtF32([]int{2, 3, 2}, 11, 11, 22, 22, 33, 33, 11, 11, 22, 22, 33, 33),
		mtF32([]int{2, 3, 2}, 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3), mtF32([]int{3}, 10, 20, 30))
	mtArithErrors(t, "Add")
}

// mtArithErrors checks the errors common to Add, Sub, Mul and Div.
func mtArithErrors(t *testing.T, op string) {
	t.Helper()
	x := mtF32([]int{2, 3}, 1, 2, 3, 4, 5, 6)
	mtWantErr(t, 14, mtNode(op), []string{"cannot be broadcast", "[2 3], [2]"}, x, mtF32([]int{2}, 1, 2))
	mtWantErr(t, 14, mtNode(op), []string{"different types float32 and int64"}, x, mtI64(nil, 1))
	mtWantErr(t, 14, mtNode(op), []string{"bool", "not supported"}, mtBool(nil, true), mtBool(nil, true))
	mtWantErr(t, 14, mtNode(op), []string{"has 1 inputs, want 2"}, x)
	mtWantErr(t, 14, mtNode(op), []string{"input 1 is missing"}, x, nil)
	mtWantErr(t, 14, mtNode(op, mtAInt("broadcast", 1)), []string{`unsupported attribute "broadcast"`}, x, x)
	mtWantErr(t, 6, mtNode(op, mtAInt("broadcast", 1), mtAInt("axis", 1)), []string{"does not fit"}, x, x)
	bad := mtF32([]int{2, 3}, 1, 2) // data shorter than its shape
	mtWantErr(t, 14, mtNode(op), []string{"input A", "wants 6 elements"}, bad, x)
}
