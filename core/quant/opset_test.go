package quant

import (
	"context"
	"math/rand"
	"testing"

	"fixq/core/tensor"
)

// TestUpgradeOpsetOps exports an opset-9 model whose ops changed signature
// before opset 13 (Pad and Slice attributes, Squeeze/Unsqueeze axes,
// Upsample, Softmax over a non-last axis) and checks that onnxruntime on
// the upgraded export computes what fixq's simulator computes on the
// original opset-9 model (onnx.checker validates the rewritten forms).
func TestUpgradeOpsetOps(t *testing.T) {
	r := rand.New(rand.NewSource(50))
	b := newModel(9, fin("x", 1, 2, 4, 4))
	b.randInit(r, "w", 0.5, 3, 2, 1, 1)
	b.init("scales", tensor.FromFloat32([]float32{1, 1, 2, 2}, 4))
	b.node("conv", "Conv", []string{"x", "w"}, []string{"c"})
	b.node("pad", "Pad", []string{"c"}, []string{"p"}, ints("pads", 0, 0, 1, 0, 0, 0, 0, 1), astr("mode", "constant"))
	b.node("slice", "Slice", []string{"p"}, []string{"s"}, ints("starts", 1), ints("ends", 4), ints("axes", 2))
	b.node("up", "Upsample", []string{"s", "scales"}, []string{"u"}, astr("mode", "nearest"))
	b.node("unsq", "Unsqueeze", []string{"u"}, []string{"u5"}, ints("axes", 0))
	b.node("sq", "Squeeze", []string{"u5"}, []string{"u4"}, ints("axes", 0))
	b.node("sm", "Softmax", []string{"u4"}, []string{"y"}, aint("axis", 1))
	m := b.outputsVI(fin("y", 1, 3, 6, 10))
	x := randInput(r, 2, 1, 2, 4, 4)
	ctx := context.Background()
	res, err := Quantize(ctx, m, &SliceSource{Batches: []map[string]*tensor.Tensor{{"x": randInput(r, 2, 1, 2, 4, 4)}}}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, res.Model)
	onnxCheck(t, path)
	ort := runORT(t, path, map[string]*tensor.Tensor{"x": x})["y"]
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	got, err := sim.Run(ctx, map[string]*tensor.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	if len(ort.Data) != len(got["y"].F32) {
		t.Fatalf("onnxruntime %v values, fixq %v", ort.Dims, got["y"].Shape)
	}
	for i, v := range got["y"].F32 {
		// Softmax in float32: a few ulps between implementations.
		if d := abs(float64(v) - ort.Data[i]); d > 1e-6 {
			t.Fatalf("y[%d]: fixq %v, onnxruntime %v", i, v, ort.Data[i])
		}
	}
	if res.Model.Opset() != 13 {
		t.Errorf("opset %d", res.Model.Opset())
	}
}
