package quant

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fixq/core/dataset"
	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
	"fixq/internal/testassets"
)

// Evidence on the trained Fashion-MNIST models (scripts/train): calibrate
// on the first 100 training images (batches of 10, so the activation
// fix_pos is the mode over 10 batches), then score top-1 on the test set.

var fmnistNorm = dataset.Norm{Mean: 0.5, Std: 0.5}

// imageSource streams images [0, n) in batches, as the job layer would.
type imageSource struct {
	im          *dataset.Images
	input       string
	n, size, at int
}

func (s *imageSource) Next(ctx context.Context) (map[string]*tensor.Tensor, error) {
	if s.at >= s.n {
		return nil, fmt.Errorf("%w", errEOF)
	}
	c := min(s.size, s.n-s.at)
	t, err := s.im.BatchTensor(nil, s.at, c, fmnistNorm)
	if err != nil {
		return nil, err
	}
	s.at += c
	return map[string]*tensor.Tensor{s.input: t}, nil
}

func (s *imageSource) Rewind() error { s.at = 0; return nil }

func loadModel(t testing.TB, name string) *graph.Model {
	t.Helper()
	path := testassets.Require(t, filepath.Join(repoRoot(t), "testdata", "models", name))
	return loadONNX(t, path)
}

type fmnistFigures struct {
	floatTop1, simTop1, ortTop1 float64
	n                           int
	identical                   float64
	quantizeTime                time.Duration
}

// fmnistEvidence quantizes a trained model and scores float, simulated and
// onnxruntime top-1 on the first nTest test images.
func fmnistEvidence(t *testing.T, model string, nTest int) fmnistFigures {
	ctx := context.Background()
	m := loadModel(t, model)
	input, output := m.Graph.Inputs[0].Name, m.Graph.Outputs[0].Name
	train, _ := fmnist.Load(t, "train")
	test, labels := fmnist.Load(t, "t10k")
	labels = labels[:nTest]

	t0 := time.Now()
	res, err := Quantize(ctx, m, &imageSource{im: train, input: input, n: 100, size: 10}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f fmnistFigures
	f.quantizeTime, f.n = time.Since(t0), nTest
	if res.CalibSamples != 100 {
		t.Errorf("calibrated on %d samples, want 100", res.CalibSamples)
	}
	for _, w := range res.Warnings {
		t.Logf("warning: %s", w)
	}
	fsess, err := engine.NewSession(res.Prepared, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	lab := func(b, n int) ([]uint8, error) { return labels[b*500 : b*500+n], nil }
	score := func(run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)) float64 {
		hits, total, err := Top1(ctx, &imageSource{im: test, input: input, n: nTest, size: 500}, output, lab, run)
		if err != nil {
			t.Fatal(err)
		}
		return 100 * float64(hits) / float64(total)
	}
	f.floatTop1 = score(fsess.Run)
	f.simTop1 = score(sim.Run)

	// onnxruntime on the exported QDQ model, all nTest images in one run.
	all, err := test.BatchTensor(nil, 0, nTest, fmnistNorm)
	if err != nil {
		t.Fatal(err)
	}
	ort := runORT(t, writeModel(t, res.Model), map[string]*tensor.Tensor{input: all})[output]
	logits := tensor.MustNew(tensor.Float32, nTest, len(ort.Data)/nTest)
	for i, v := range ort.Data {
		logits.F32[i] = float32(v)
	}
	hits, err := dataset.CountTop1(logits, labels)
	if err != nil {
		t.Fatal(err)
	}
	f.ortTop1 = 100 * float64(hits) / float64(nTest)
	simAll, err := sim.Run(ctx, map[string]*tensor.Tensor{input: all})
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for i, v := range simAll[output].F32 {
		if float64(v) == ort.Data[i] {
			same++
		}
	}
	f.identical = 100 * float64(same) / float64(len(ort.Data))
	t.Logf("%s: quantize (100 calibration images) %v; top-1 on the first %d test images: float %.2f%%, fixq simulation %.2f%%, onnxruntime QDQ %.2f%%; %.2f%% of int8 logits bit-identical between simulation and onnxruntime",
		model, f.quantizeTime.Round(time.Millisecond), nTest, f.floatTop1, f.simTop1, f.ortTop1, f.identical)
	return f
}

var errEOF = ioEOF()

// evalImages is the test-set size scored: all 10000 images, or the first
// 2000 under -short.
func evalImages() int {
	if testing.Short() {
		return 2000
	}
	return 10000
}

func TestCNNFashionMNIST(t *testing.T) {
	f := fmnistEvidence(t, "cnn_fmnist.onnx", evalImages())
	if f.floatTop1-f.simTop1 > 1.0 {
		t.Errorf("quantized top-1 %.2f%% is more than 1.0 point below float %.2f%%", f.simTop1, f.floatTop1)
	}
	if d := f.ortTop1 - f.simTop1; d > 0.1 || d < -0.1 {
		t.Errorf("onnxruntime top-1 %.2f%% vs simulation %.2f%%: more than 0.1 point apart", f.ortTop1, f.simTop1)
	}
}

// TestMBV2FashionMNIST: the MobileNetV2-style net (depthwise convs, ReLU6,
// residual adds) must stay within 1.5 points of float. Without CLE (not
// built yet) this is the honest figure; the threshold is the issue's.
func TestMBV2FashionMNIST(t *testing.T) {
	f := fmnistEvidence(t, "mbv2_fmnist.onnx", evalImages())
	if f.floatTop1-f.simTop1 > 1.5 {
		t.Errorf("quantized top-1 %.2f%% is more than 1.5 points below float %.2f%%", f.simTop1, f.floatTop1)
	}
	if d := f.ortTop1 - f.simTop1; d > 0.1 || d < -0.1 {
		t.Errorf("onnxruntime top-1 %.2f%% vs simulation %.2f%%: more than 0.1 point apart", f.ortTop1, f.simTop1)
	}
}
