package ops

import (
	"math"
	"testing"

	"fixq/core/tensor"
)

// mtCompareCommon checks a comparison op on every numeric type against
// the Go operator f, with broadcasting, and its error cases.
func mtCompareCommon(t *testing.T, op string, f func(a, b float64) bool) {
	t.Helper()
	av := []float64{-2, 0, 3, 5, 3, -7}
	bv := []float64{0, 3, 5}
	want := make([]bool, 6)
	for i := range want {
		want[i] = f(av[i], bv[i%3])
	}
	wt := &tensor.Tensor{DType: tensor.Bool, Shape: []int{2, 3}, B: want}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Int64, tensor.Int32, tensor.Int8} {
		a, b := mtCastF64(dt, []int{2, 3}, av), mtCastF64(dt, []int{3}, bv)
		mtWant(t, 13, mtNode(op), wt, a, b)
	}
	// uint8 with non-negative values.
	ua, ub := []float64{2, 0, 3, 5, 3, 7}, []float64{0, 3, 5}
	for i := range want {
		want[i] = f(ua[i], ub[i%3])
	}
	mtWant(t, 13, mtNode(op), wt, mtCastF64(tensor.Uint8, []int{2, 3}, ua), mtCastF64(tensor.Uint8, []int{3}, ub))
	// NaN compares false (and unequal).
	nan := float32(math.NaN())
	nb := f(math.NaN(), 1)
	mtWant(t, 13, mtNode(op), mtBool([]int{1}, nb), mtF32([]int{1}, nan), mtF32(nil, 1))

	mtWantErr(t, 13, mtNode(op), []string{"different types"}, mtF32(nil, 1), mtI64(nil, 1))
	mtWantErr(t, 13, mtNode(op), []string{"cannot be broadcast"}, mtF32([]int{2}, 1, 2), mtF32([]int{3}, 1, 2, 3))
	mtWantErr(t, 13, mtNode(op), []string{"want 2"}, mtF32(nil, 1))
}

// mtCastF64 builds a tensor of type dt from float64 values.
func mtCastF64(dt tensor.DType, shape []int, v []float64) *tensor.Tensor {
	t := tensor.MustNew(dt, shape...)
	for i, x := range v {
		switch dt {
		case tensor.Float32:
			t.F32[i] = float32(x)
		case tensor.Int64:
			t.I64[i] = int64(x)
		case tensor.Int32:
			t.I32[i] = int32(x)
		case tensor.Int8:
			t.I8[i] = int8(x)
		case tensor.Uint8:
			t.U8[i] = uint8(x)
		case tensor.Bool:
			t.B[i] = x != 0
		}
	}
	return t
}
