package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fixq/internal/fmnist"
)

// writeFMNIST writes n Fashion-MNIST test images as PNGs: flat into dir
// (labelled=false) or as an ImageFolder dir/<label>/<i>.png.
func writeFMNIST(t *testing.T, dir string, n int, labelled bool) {
	t.Helper()
	imgs, labels := fmnist.Load(t, "t10k")
	for i := 0; i < n; i++ {
		g := image.NewGray(image.Rect(0, 0, imgs.W, imgs.H))
		copy(g.Pix, imgs.Image(i))
		var b bytes.Buffer
		png.Encode(&b, g)
		p := filepath.Join(dir, fmt.Sprintf("%04d.png", i))
		if labelled {
			p = filepath.Join(dir, fmt.Sprint(labels[i]), fmt.Sprintf("%04d.png", i))
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestQuantizeAndEval(t *testing.T) {
	dir := t.TempDir()
	calib, evalDir := filepath.Join(dir, "calib"), filepath.Join(dir, "eval")
	writeFMNIST(t, calib, 32, false)
	writeFMNIST(t, evalDir, 200, true)
	model := "../../testdata/models/cnn_fmnist.onnx"
	before := fileHash(t, model)
	out := filepath.Join(dir, "q.onnx")
	code, stdout, errs := fixq(t, "quantize", model, "--calib", calib, "--mean", "0.5", "--std", "0.5", "-o", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{out, filepath.Join(dir, "q.quant_info.json"), filepath.Join(dir, "q.report.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s not written (%s)", f, stdout)
		}
	}
	if fileHash(t, model) != before {
		t.Fatal("the input model was modified")
	}
	var fl, q struct {
		Top1 float64 `json:"top1"`
		N    int     `json:"n"`
	}
	for _, c := range []struct {
		m string
		v any
	}{{model, &fl}, {out, &q}} {
		code, stdout, errs = fixq(t, "eval", c.m, "--data", evalDir, "--mean", "0.5", "--std", "0.5", "--json")
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", c.m, code, errs)
		}
		if err := json.Unmarshal([]byte(stdout), c.v); err != nil {
			t.Fatalf("eval --json: %v: %q", err, stdout)
		}
	}
	if fl.N != 200 || q.N != 200 || fl.Top1 < 0.8 {
		t.Fatalf("float %+v, quantized %+v", fl, q)
	}
	// 200 images: a 1-point drop is 2 images; allow 3 points here (the
	// full-test-set accuracy bound lives in core/quant's tests).
	if q.Top1 < fl.Top1-0.03 {
		t.Errorf("quantized top-1 %.3f vs float %.3f", q.Top1, fl.Top1)
	}
}

func TestQuantizeErrors(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/models/cnn_fmnist.onnx"
	code, _, errs := fixq(t, "quantize", model, "-o", filepath.Join(dir, "q.onnx"))
	wantError(t, code, errs, 2, "--calib")
	os.WriteFile(filepath.Join(dir, "bad.png"), []byte("no image here"), 0o644)
	code, _, errs = fixq(t, "quantize", model, "--calib", dir, "-o", filepath.Join(dir, "q.onnx"), "--quiet")
	wantError(t, code, errs, 1, "bad.png")
	code, _, errs = fixq(t, "quantize", model, "--calib", dir, "-o", model, "--quiet")
	wantError(t, code, errs, 1, "overwrite")
	code, _, errs = fixq(t, "eval", model, "--data", dir)
	wantError(t, code, errs, 1, "sub-folder per class")
}

// TestQuantizeFinetuneFlags: --ft-iterations/--ft-lr/--ft-batch reach
// AdaQuant exactly as the config's finetune fields do, and bad values
// are refused.
func TestQuantizeFinetuneFlags(t *testing.T) {
	dir := t.TempDir()
	calib := filepath.Join(dir, "calib")
	writeFMNIST(t, calib, 8, false)
	model := "../../testdata/models/cnn_fmnist.onnx"
	common := []string{"quantize", model, "--calib", calib, "--mean", "0.5", "--std", "0.5", "--quiet", "--batch", "4"}
	run := func(out string, extra ...string) [32]byte {
		t.Helper()
		code, _, errs := fixq(t, append(append(common, "-o", filepath.Join(dir, out)), extra...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, code, errs)
		}
		return fileHash(t, filepath.Join(dir, out))
	}
	cfg := filepath.Join(dir, "cfg.json")
	os.WriteFile(cfg, []byte(`{"fast_finetune": true, "finetune": {"iterations": 3, "lr": 0.2, "batch": 2, "seed": 7}}`), 0o644)
	byFlags := run("flags.onnx", "--fast-finetune", "--seed", "7", "--ft-iterations", "3", "--ft-lr", "0.2", "--ft-batch", "2")
	byConfig := run("config.onnx", "--config", cfg)
	if byFlags != byConfig {
		t.Error("the flags and the config's finetune fields give different models")
	}
	if other := run("other.onnx", "--fast-finetune", "--seed", "7", "--ft-iterations", "3", "--ft-lr", "0.01", "--ft-batch", "2"); other == byFlags {
		t.Error("--ft-lr 0.01 and 0.2 give the same model: the flag is not used")
	}
	code, _, errs := fixq(t, append(append(common, "-o", filepath.Join(dir, "x.onnx")), "--ft-iterations", "3")...)
	wantError(t, code, errs, 2, "--fast-finetune")
	code, _, errs = fixq(t, append(append(common, "-o", filepath.Join(dir, "x.onnx")), "--fast-finetune", "--ft-lr", "-1")...)
	wantError(t, code, errs, 1, "finetune.lr")
}
