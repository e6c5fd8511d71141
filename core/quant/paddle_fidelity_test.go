package quant

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fixq/core/dataset"
	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/npy"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// Fidelity of quantized PaddleOCR models on rendered text images (for the
// notes, not pass/fail): scripts/ocr-fidelity/make_text_images.py writes
// the .npy inputs; then
//
//	FIXQ_OCR_DIR=/tmp/fixq-ocr go test ./core/quant -run TestPaddleFidelity -v -timeout 4h
//
// The direction classifier is calibrated on 100 text-line crops (batches
// of 10) and scored on 300 others: argmax agreement between float and
// quantized (and each against the known rotation). The detector is
// calibrated on 20 pages (batches of 2) and compared on 20 others: the
// fraction of pixels where (p > 0.3) agrees, the IoU of the text masks
// and the mean |p_float - p_quant|. Each configuration of ocrRows runs on
// both models (AdaQuant on the detector takes tens of minutes).

func ocrDir(t testing.TB) string {
	d := os.Getenv("FIXQ_OCR_DIR")
	if d == "" {
		t.Skip("set FIXQ_OCR_DIR to the output of scripts/ocr-fidelity/make_text_images.py")
	}
	return d
}

func readNPY(t testing.TB, path string) *tensor.Tensor {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := npy.Read(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}

// loadONNX reads and decodes an ONNX file (shared by the package's tests).
func loadONNX(t testing.TB, path string) *graph.Model {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sliceBatches cuts x [N, ...] into batches of size for input name.
func sliceBatches(x *tensor.Tensor, name string, size int) []map[string]*tensor.Tensor {
	per := x.Len() / x.Shape[0]
	var out []map[string]*tensor.Tensor
	for i := 0; i < x.Shape[0]; i += size {
		n := min(size, x.Shape[0]-i)
		shape := append([]int{n}, x.Shape[1:]...)
		out = append(out, map[string]*tensor.Tensor{name: tensor.FromFloat32(x.F32[i*per:(i+n)*per], shape...)})
	}
	return out
}

// runBoth runs the float model and the simulation over batches and
// returns their outputs concatenated.
func runBoth(t testing.TB, m *graph.Model, res *Result, batches []map[string]*tensor.Tensor) (fl, q []float32, shape []int) {
	t.Helper()
	ctx := context.Background()
	fs, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	out := m.Graph.Outputs[0].Name
	for _, b := range batches {
		fo, err := fs.Run(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		qo, err := sim.Run(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		fl = append(fl, fo[out].F32...)
		q = append(q, qo[out].F32...)
		shape = fo[out].Shape
	}
	return fl, q, shape
}

// ocrRows are the configurations TestPaddleFidelity compares (select
// some with -run, e.g. -run 'TestPaddleFidelity/det/PTQ\+AdaQuant$').
// AdaQuant takes its defaults and seed 1.
var ocrRows = []struct {
	name string
	cfg  Config
}{
	{"PTQ", Config{}},
	{"PTQ+CLE", Config{CLE: true}},
	{"PTQ+CLE+BC", Config{CLE: true, BiasCorrection: true}},
	{"PTQ+AdaQuant", Config{FastFinetune: true, Finetune: FinetuneConfig{Seed: 1}}},
	{"PTQ+CLE+AdaQuant", Config{CLE: true, FastFinetune: true, Finetune: FinetuneConfig{Seed: 1}}},
}

func TestPaddleFidelity(t *testing.T) {
	dir := ocrDir(t)
	ctx := context.Background()
	for _, cfg := range ocrRows {
		t.Run("cls/"+cfg.name, func(t *testing.T) {
			m := loadONNX(t, testassets.PaddleCls(t))
			in := m.Graph.Inputs[0].Name
			cal := readNPY(t, filepath.Join(dir, "cls_calib.npy"))
			ev := readNPY(t, filepath.Join(dir, "cls_eval.npy"))
			rot := readNPY(t, filepath.Join(dir, "cls_eval_rot.npy"))
			t0 := time.Now()
			res, err := Quantize(ctx, m, &SliceSource{Batches: sliceBatches(cal, in, 10)}, cfg.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := time.Since(t0)
			fl, q, shape := runBoth(t, m, res, sliceBatches(ev, in, 10))
			k := shape[1]
			n := len(fl) / k
			agree, fRight, qRight := 0, 0, 0
			for i := 0; i < n; i++ {
				fa, qa := dataset.ArgMax(fl[i*k:(i+1)*k]), dataset.ArgMax(q[i*k:(i+1)*k])
				want := int(rot.U8[i])
				if fa == qa {
					agree++
				}
				if fa == want {
					fRight++
				}
				if qa == want {
					qRight++
				}
			}
			t.Logf("PaddleOCR cls %s (quantize %v, %d calibration crops, %d warnings): argmax agreement float vs quantized %d/%d; rotation correct: float %d/%d, quantized %d/%d; mean |Δp| %.4f",
				cfg.name, d.Round(time.Millisecond), res.CalibSamples, len(res.Warnings), agree, n, fRight, n, qRight, n, meanAbsDiff(fl, q))
		})
	}
	for _, cfg := range ocrRows {
		t.Run("det/"+cfg.name, func(t *testing.T) {
			m := loadONNX(t, testassets.PaddleDet(t))
			in := m.Graph.Inputs[0].Name
			cal := readNPY(t, filepath.Join(dir, "det_calib.npy"))
			ev := readNPY(t, filepath.Join(dir, "det_eval.npy"))
			t0 := time.Now()
			res, err := Quantize(ctx, m, &SliceSource{Batches: sliceBatches(cal, in, 2)}, cfg.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := time.Since(t0)
			fl, q, _ := runBoth(t, m, res, sliceBatches(ev, in, 2))
			t.Logf("PaddleOCR det %s (quantize %v, %d calibration pages, %d warnings): %s", cfg.name, d.Round(time.Millisecond), res.CalibSamples, len(res.Warnings), maskAgreement(fl, q, 0.3))
		})
	}
}

func meanAbsDiff(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += math.Abs(float64(a[i]) - float64(b[i]))
	}
	return s / float64(len(a))
}

// maskAgreement compares two probability maps thresholded at th.
func maskAgreement(fl, q []float32, th float32) string {
	same, inter, union, fpos, qpos := 0, 0, 0, 0, 0
	for i := range fl {
		a, b := fl[i] > th, q[i] > th
		if a == b {
			same++
		}
		if a && b {
			inter++
		}
		if a || b {
			union++
		}
		if a {
			fpos++
		}
		if b {
			qpos++
		}
	}
	n := len(fl)
	return fmt.Sprintf("(p>%.1f) agrees on %.3f%% of %d pixels; text pixels float %.2f%%, quantized %.2f%%; mask IoU %.4f; mean |Δp| %.4f",
		th, 100*float64(same)/float64(n), n, 100*float64(fpos)/float64(n), 100*float64(qpos)/float64(n), float64(inter)/float64(max(union, 1)), meanAbsDiff(fl, q))
}
