package ops

import (
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

func TestQDQONNXCases(t *testing.T) {
	for _, name := range []string{"test_quantizelinear", "test_quantizelinear_axis", "test_dequantizelinear", "test_dequantizelinear_axis"} {
		t.Run(name, func(t *testing.T) { nnONNXCase(t, name, "") })
	}
}

// TestQuantizeLinearRounding checks ONNX's rounding (half to even) and
// saturation for int8 with a power-of-two scale, the form fixq exports.
func TestQuantizeLinearRounding(t *testing.T) {
	n := &graph.Node{Name: "q", OpType: "QuantizeLinear"}
	x := tensor.FromFloat32([]float32{0.125, 0.375, -0.125, -0.375, 100, -100, 0.3}, 7)
	scale := tensor.FromFloat32([]float32{0.25})
	zp := &tensor.Tensor{DType: tensor.Int8, I8: []int8{0}}
	out, err := QuantizeLinear(&Ctx{Opset: 13}, n, []*tensor.Tensor{x, scale, zp})
	if err != nil {
		t.Fatal(err)
	}
	// 0.5 -> 0, 1.5 -> 2, -0.5 -> 0, -1.5 -> -2 (ties to even); 400 -> 127; -400 -> -128; 1.2 -> 1
	want := []int8{0, 2, 0, -2, 127, -128, 1}
	for i, w := range want {
		if out[0].I8[i] != w {
			t.Errorf("x=%g: got %d, want %d", x.F32[i], out[0].I8[i], w)
		}
	}
	d, err := DequantizeLinear(&Ctx{Opset: 13}, &graph.Node{Name: "d", OpType: "DequantizeLinear"}, []*tensor.Tensor{out[0], scale, zp})
	if err != nil {
		t.Fatal(err)
	}
	if d[0].F32[1] != 0.5 || d[0].F32[5] != -32 {
		t.Errorf("dequantized %v", d[0].F32)
	}
	if _, err := QuantizeLinear(&Ctx{}, n, []*tensor.Tensor{x, tensor.FromFloat32([]float32{1, 2}, 2), nil}); err == nil {
		t.Error("2 scales for a rank-1 axis of 7 accepted")
	}
}
