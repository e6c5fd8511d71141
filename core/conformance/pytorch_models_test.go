package conformance

import (
	"context"
	"math"
	"os"
	"testing"

	"fixq/core/dataset"
	"fixq/core/engine"
	"fixq/core/npy"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
)

// TestTrainedModelsMatchPyTorch runs the models trained by
// scripts/train/train_models.py on the first 64 Fashion-MNIST test images
// and compares with the logits PyTorch computed (unfolded BN, float32):
// max |fixq - torch| / max |torch| <= 1e-4. Then the full 10k test set:
// the float top-1 count PyTorch measured, within 2 images (argmax ties on
// different summation orders).
func TestTrainedModelsMatchPyTorch(t *testing.T) {
	read := func(p string) *tensor.Tensor {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		x, err := npy.Read(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return x
	}
	x := read("../../testdata/fmnist_test64.npy")
	imgs, labels := fmnist.Load(t, "t10k")
	for _, c := range []struct {
		name    string
		correct int
	}{{"cnn_fmnist", 8951}, {"mbv2_fmnist", 9144}} {
		b, err := os.ReadFile("../../testdata/models/" + c.name + ".onnx")
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnx.DecodeBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		s, err := engine.NewSession(m, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Run(context.Background(), map[string]*tensor.Tensor{"input": x})
		if err != nil {
			t.Fatal(err)
		}
		want := read("../../testdata/models/" + c.name + ".ref.npy")
		got := out["logits"]
		var maxAbs, maxDiff float64
		for i := range want.F32 {
			maxAbs = math.Max(maxAbs, math.Abs(float64(want.F32[i])))
			maxDiff = math.Max(maxDiff, math.Abs(float64(got.F32[i]-want.F32[i])))
		}
		if maxDiff/maxAbs > 1e-4 {
			t.Errorf("%s: rel err %g vs PyTorch", c.name, maxDiff/maxAbs)
		}
		if testing.Short() {
			continue
		}
		hits := 0
		seq, err := imgs.Batches(500, dataset.Norm{Mean: 0.5, Std: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		for start, batch := range seq {
			y, err := s.Run(context.Background(), map[string]*tensor.Tensor{"input": batch})
			if err != nil {
				t.Fatal(err)
			}
			n, err := dataset.CountTop1(y["logits"], labels[start:start+batch.Shape[0]])
			if err != nil {
				t.Fatal(err)
			}
			hits += n
		}
		if d := hits - c.correct; d < -2 || d > 2 {
			t.Errorf("%s: %d of 10000 correct, PyTorch %d", c.name, hits, c.correct)
		}
		t.Logf("%s: rel err %.2g on 64 images; top-1 %d/10000 (PyTorch %d)", c.name, maxDiff/maxAbs, hits, c.correct)
	}
}
