package ops

import (
	"math"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Expected values are numpy's astype on x86-64 (numpy 1.24, Debian), whose
// float->integer conversions are C casts like onnxruntime's, except where
// noted: fixq saturates float->int64 out of range, where C is undefined.
func TestCast(t *testing.T) {
	to := func(dt tensor.DType) *graph.Node { return mtNode("Cast", mtAInt("to", int64(dt))) }
	f := mtF32([]int{10}, -2.7, 2.7, -0.5, 200.7, -1.5, 127.9, -1, 255.9, 256, 300)
	mtWant(t, 13, to(tensor.Int64), mtI64([]int{10}, -2, 2, 0, 200, -1, 127, -1, 255, 256, 300), f)
	mtWant(t, 13, to(tensor.Int32), mtI32([]int{10}, -2, 2, 0, 200, -1, 127, -1, 255, 256, 300), f)
	mtWant(t, 13, to(tensor.Int8), mtI8([]int{10}, -2, 2, 0, -56, -1, 127, -1, -1, 0, 44), f)
	mtWant(t, 13, to(tensor.Uint8), mtU8([]int{10}, 254, 2, 0, 200, 255, 127, 255, 255, 0, 44), f)
	nan := float32(math.NaN())
	mtWant(t, 13, to(tensor.Bool), mtBool([]int{4}, false, false, true, true),
		mtF32([]int{4}, 0, float32(math.Copysign(0, -1)), nan, 0.1))
	// Undefined in ONNX; fixq's choice (saturate, NaN -> 0), same natively and in wasm.
	mtWant(t, 13, to(tensor.Int64), mtI64([]int{4}, math.MaxInt64, math.MinInt64, 0, math.MaxInt64),
		mtF32([]int{4}, 1e20, -1e20, nan, mtInf))

	mtWant(t, 13, to(tensor.Int32), mtI32([]int{2}, 5, -1), mtI64([]int{2}, 1<<33+5, -1))
	mtWant(t, 13, to(tensor.Float32), mtF32([]int{2}, 9007199254740992, 16777216), mtI64([]int{2}, 1<<53+1, 16777217))
	mtWant(t, 13, to(tensor.Uint8), mtU8([]int{2}, 255, 0), mtI32([]int{2}, -1, 256))
	mtWant(t, 13, to(tensor.Int8), mtI8([]int{1}, -56), mtU8([]int{1}, 200))
	mtWant(t, 13, to(tensor.Int64), mtI64([]int{2}, -5, 127), mtI8([]int{2}, -5, 127))
	mtWant(t, 13, to(tensor.Float32), mtF32([]int{2}, 255, 0), mtU8([]int{2}, 255, 0))
	mtWant(t, 13, to(tensor.Bool), mtBool([]int{3}, true, false, true), mtI64([]int{3}, -1, 0, 1<<40))
	mtWant(t, 13, to(tensor.Float32), mtF32([]int{2}, 1, 0), mtBool([]int{2}, true, false))
	mtWant(t, 13, to(tensor.Int64), mtI64([]int{2}, 1, 0), mtBool([]int{2}, true, false))
	mtWant(t, 13, to(tensor.Uint8), mtU8([]int{2}, 1, 0), mtBool([]int{2}, true, false))
	mtWant(t, 13, to(tensor.Float32), f, f)
	mtWant(t, 13, to(tensor.Float32), mtF32(nil, 3), mtI64(nil, 3))

	mtWantErr(t, 13, to(11), []string{"cast to dtype(11)", "not supported"}, f) // double
	mtWantErr(t, 13, to(8), []string{"not supported"}, f)                       // string
	mtWantErr(t, 13, mtNode("Cast"), []string{"attribute to is missing"}, f)
	mtWantErr(t, 13, mtNode("Cast", mtAInt("to", 1), mtAInt("extra", 1)), []string{`unsupported attribute "extra"`}, f)
	mtWantErr(t, 13, mtNode("Cast", mtAFloat("to", 1)), []string{"attribute to"}, f)
}

func TestCastLike(t *testing.T) {
	mtWant(t, 15, mtNode("CastLike"), mtI8([]int{2}, -2, 44), mtF32([]int{2}, -2.7, 300), mtI8(nil, 0))
	mtWant(t, 15, mtNode("CastLike"), mtF32([]int{1}, 7), mtI32([]int{1}, 7), mtF32([]int{1}, 0))
	mtWantErr(t, 15, mtNode("CastLike"), []string{"want 2"}, mtF32(nil, 1))
}
