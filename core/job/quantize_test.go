package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"fixq/core/engine"
	"fixq/core/onnx"
	"fixq/core/prep"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
)

// fmnistPNGs encodes the first n Fashion-MNIST training images as PNG
// files named calib/<i>.png.
func fmnistPNGs(t *testing.T, n int) map[string][]byte {
	t.Helper()
	imgs, _ := fmnist.Load(t, "train")
	out := map[string][]byte{}
	for i := 0; i < n; i++ {
		g := image.NewGray(image.Rect(0, 0, imgs.W, imgs.H))
		copy(g.Pix, imgs.Image(i))
		var b bytes.Buffer
		if err := png.Encode(&b, g); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("calib/%03d.png", i)] = b.Bytes()
	}
	return out
}

func filesDataset(t *testing.T, files map[string][]byte) *prep.Dataset {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	d, err := prep.FromFiles(paths, func(p string) ([]byte, error) { return files[p], nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestQuantizeDeterministicAndRunnable(t *testing.T) {
	model, err := os.ReadFile("../../testdata/models/cnn_fmnist.onnx")
	if err != nil {
		t.Fatal(err)
	}
	files := fmnistPNGs(t, 40)
	opts := QuantizeOptions{Preprocess: prep.Options{Mean: []float64{0.5}, Std: []float64{0.5}}, CalibSize: 32, BatchSize: 8}
	var stages []string
	progress := func(stage string, pct float64) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	}
	r1, err := Quantize(context.Background(), QuantizeRequest{Model: model, Calib: filesDataset(t, files), Options: opts}, Limits{}, progress)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Quantize(context.Background(), QuantizeRequest{Model: model, Calib: filesDataset(t, files), Options: opts}, Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r1.Model, r2.Model) || !bytes.Equal(r1.QuantInfo, r2.QuantInfo) || !bytes.Equal(r1.Report, r2.Report) {
		t.Fatal("two identical jobs gave different bytes")
	}
	var rep struct {
		Target  string `json:"target"`
		Layers  []any  `json:"layers"`
		Latency struct {
			LatencyMs float64 `json:"latency_ms"`
		} `json:"latency"`
	}
	if err := json.Unmarshal(r1.Report, &rep); err != nil || rep.Target != "DPUCZDX8G_ISA1_B4096" || rep.Latency.LatencyMs <= 0 || len(rep.Layers) == 0 {
		t.Errorf("report lacks layers, target or latency: %v %+v", err, rep)
	}
	if !strings.Contains(strings.Join(stages, ","), "calibrate") {
		t.Errorf("progress stages %v lack calibrate", stages)
	}
	// The QDQ model runs in fixq's engine (ONNX semantics).
	m, err := onnx.DecodeBytes(r1.Model)
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), map[string]*tensor.Tensor{"input": tensor.MustNew(tensor.Float32, 2, 1, 28, 28)}); err != nil {
		t.Fatal(err)
	}
}

func TestQuantizeErrors(t *testing.T) {
	model, err := os.ReadFile("../../testdata/models/cnn_fmnist.onnx")
	if err != nil {
		t.Fatal(err)
	}
	files := fmnistPNGs(t, 4)
	files["calib/002.png"] = []byte("not an image")
	req := QuantizeRequest{Model: model, Calib: filesDataset(t, files)}
	if _, err := Quantize(context.Background(), req, Limits{}, nil); err == nil || !strings.Contains(err.Error(), "calib/002.png") {
		t.Errorf("broken image: want an error naming calib/002.png, got %v", err)
	}
	req.Options.SkipBadImages = true
	res, err := Quantize(context.Background(), req, Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), "calib/002.png") {
		t.Errorf("skipped image not in warnings: %v", res.Warnings)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Quantize(ctx, req, Limits{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	if _, err := Quantize(context.Background(), QuantizeRequest{Model: model, Calib: req.Calib}, Limits{MaxImages: 2}, nil); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("image limit: got %v", err)
	}
	if _, err := ParseQuantizeOptions([]byte(`{"methd":"diffs"}`)); err == nil {
		t.Error("unknown option accepted")
	}
}
