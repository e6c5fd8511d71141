package quant

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
	"fixq/internal/testassets"
)

// BenchmarkPTQ times Quantize (default config: prepare, plan, calibration,
// repairs, report pass, QDQ export) with 100 calibration samples in
// batches of 10, native, for scripts/bench-ptq.sh:
//
//   - model=mbv2_fmnist: the first 10 training images of each class, the
//     calibration set of scripts/train/ptq_pytorch.py (PyTorch FX PTQ, the
//     peer it is compared with);
//   - model=paddle_cls: PaddleOCR's direction classifier on 100 rendered
//     text crops (FIXQ_OCR_DIR, see paddle_fidelity_test.go).
//
// Batches are built in memory before the timer starts, as the PyTorch
// script holds its calibration array in memory.
func BenchmarkPTQ(b *testing.B) {
	b.Run("model=mbv2_fmnist", func(b *testing.B) {
		train, labels := fmnist.Load(b, "train")
		var idx []int
		for c := uint8(0); c < 10; c++ {
			n := 0
			for i, l := range labels {
				if l == c && n < 10 {
					idx = append(idx, i)
					n++
				}
			}
		}
		slices.Sort(idx)
		m := loadModel(b, "mbv2_fmnist.onnx")
		in := m.Graph.Inputs[0].Name
		var batches []map[string]*tensor.Tensor
		for i := 0; i < len(idx); i += 10 {
			x := tensor.MustNew(tensor.Float32, 10, 1, 28, 28)
			for j := 0; j < 10; j++ {
				one, err := train.BatchTensor(nil, idx[i+j], 1, fmnistNorm)
				if err != nil {
					b.Fatal(err)
				}
				copy(x.F32[j*784:], one.F32)
			}
			batches = append(batches, map[string]*tensor.Tensor{in: x})
		}
		benchQuantize(b, m, batches)
	})
	b.Run("model=paddle_cls", func(b *testing.B) {
		dir := os.Getenv("FIXQ_OCR_DIR")
		if dir == "" {
			b.Skip("set FIXQ_OCR_DIR to the output of scripts/ocr-fidelity/make_text_images.py")
		}
		m := loadONNX(b, testassets.PaddleCls(b))
		cal := readNPY(b, filepath.Join(dir, "cls_calib.npy"))
		benchQuantize(b, m, sliceBatches(cal, m.Graph.Inputs[0].Name, 10))
	})
}

func benchQuantize(b *testing.B, m *graph.Model, batches []map[string]*tensor.Tensor) {
	b.ReportAllocs()
	var tm Timings
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Quantize(context.Background(), m, &SliceSource{Batches: batches}, Config{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.CalibSamples != 100 {
			b.Fatalf("calibrated on %d samples, want 100", res.CalibSamples)
		}
		tm.Prepare += res.Timings.Prepare
		tm.Calibrate += res.Timings.Calibrate
		tm.Report += res.Timings.Report
		tm.Export += res.Timings.Export
	}
	n := float64(b.N)
	b.ReportMetric(tm.Prepare.Seconds()/n, "prepare-s/op")
	b.ReportMetric(tm.Calibrate.Seconds()/n, "calibrate-s/op")
	b.ReportMetric(tm.Report.Seconds()/n, "report-s/op")
	b.ReportMetric(tm.Export.Seconds()/n, "export-s/op")
}
