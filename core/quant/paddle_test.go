package quant

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// TestPaddleClsEndToEnd quantizes a real model (PaddleOCR's direction
// classifier: Constant weights, written-out HardSwish with opset-9 Clip
// attributes, HardSigmoid alpha 0.2, Flatten via shape arithmetic) and
// checks the export with onnx.checker and onnxruntime. The inputs are
// synthetic (uniform noise in the model's [-1,1] range), so this proves
// the pipeline and the export's fidelity, not accuracy.
func TestPaddleClsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real model")
	}
	m := loadONNX(t, testassets.PaddleCls(t))
	in := m.Graph.Inputs[0].Name
	r := rand.New(rand.NewSource(30))
	var cal []map[string]*tensor.Tensor
	for i := 0; i < 4; i++ {
		cal = append(cal, map[string]*tensor.Tensor{in: randInput(r, 1, 2, 3, 48, 192)})
	}
	t0 := time.Now()
	res, err := Quantize(context.Background(), m, &SliceSource{Batches: cal}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("quantized in %v (8 calibration samples); %d warnings", time.Since(t0).Round(time.Millisecond), len(res.Warnings))
	for _, w := range res.Warnings {
		t.Logf("warning: %s", w)
	}
	path := writeModel(t, res.Model)
	onnxCheck(t, path)
	x := randInput(r, 1, 4, 3, 48, 192)
	out := res.Model.Graph.Outputs[0].Name
	ort := runORT(t, path, map[string]*tensor.Tensor{in: x})[out]
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	got, err := sim.Run(context.Background(), map[string]*tensor.Tensor{in: x})
	if err != nil {
		t.Fatal(err)
	}
	maxd := 0.0
	for i, v := range got[out].F32 {
		maxd = max(maxd, abs(float64(v)-ort.Data[i]))
	}
	t.Logf("output %q: max |simulation - onnxruntime| = %g", out, maxd)
	// The output is a float Softmax on the CPU side: agreement to float
	// rounding of the softmax itself.
	if maxd > 1e-5 {
		t.Errorf("simulation and onnxruntime differ by %g", maxd)
	}
}

func abs(x float64) float64 { return max(x, -x) }
