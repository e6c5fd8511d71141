package ops

import (
	"math"
	"testing"
)

func TestPow(t *testing.T) {
	mtONNX(t, "test_pow", "test_pow_bcast_array", "test_pow_bcast_scalar", "test_pow_example",
		"test_pow_types_float", "test_pow_types_int", "test_pow_types_float32_int32",
		"test_pow_types_float32_int64", "test_pow_types_int32_float32", "test_pow_types_int32_int32",
		"test_pow_types_int64_float32", "test_pow_types_int64_int64")
	x := mtF32([]int{5}, -2, 0, 0.5, 3, 1e20)
	sq := make([]float32, 5)
	for i, v := range x.F32 {
		sq[i] = float32(math.Pow(float64(v), 2))
	}
	mtWant(t, 15, mtNode("Pow"), mtF32([]int{5}, sq...), x, mtF32(nil, 2))
	mtWant(t, 15, mtNode("Pow"), mtF32([]int{5}, sq...), x, mtI64(nil, 2))
	nan := float32(math.NaN())
	mtWant(t, 15, mtNode("Pow"), mtF32([]int{4}, nan, 0, 1, 2),
		mtF32([]int{4}, -8, 0, 5, 4), mtF32([]int{4}, 1.0/3, 2, 0, 0.5))
	mtWant(t, 15, mtNode("Pow"), mtF32([]int{2, 2}, 2, 4, 3, 9),
		mtF32([]int{2, 1}, 2, 3), mtI32([]int{2}, 1, 2))
	mtWant(t, 15, mtNode("Pow"), mtI64([]int{3}, 8, 0, 1), mtI64([]int{3}, 2, 5, -1), mtI64([]int{3}, 3, -1, 2))
	mtWant(t, 15, mtNode("Pow"), mtI32([]int{2}, 2, 5), mtI32([]int{2}, 4, 25), mtF32(nil, 0.5))

	mtWantErr(t, 15, mtNode("Pow"), []string{"base X is uint8"}, mtU8(nil, 1), mtF32(nil, 1))
	mtWantErr(t, 15, mtNode("Pow"), []string{"exponent Y is bool"}, x, mtBool(nil, true))
	mtWantErr(t, 15, mtNode("Pow"), []string{"cannot be broadcast"}, x, mtF32([]int{2}, 1, 2))
	mtWantErr(t, 15, mtNode("Pow", mtAInt("broadcast", 1)), []string{"only before opset 7"}, x, x)
}
