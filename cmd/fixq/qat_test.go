package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixq qat end to end on 200 labelled Fashion-MNIST images: two epochs,
// one line per epoch on stderr, the three output files, and an exported
// model that fixq eval scores like the float one (within 3 points on
// these 200 images; the accuracy evidence on the full test set lives in
// core/train/finetune).
func TestQAT(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "train")
	writeFMNIST(t, data, 200, true)
	model := "../../testdata/models/cnn_fmnist.onnx"
	before := fileHash(t, model)
	out := filepath.Join(dir, "qat.onnx")
	code, stdout, errs := fixq(t, "qat", model, "--train", data, "--epochs", "2", "--batch", "16", "--mean", "0.5", "--std", "0.5",
		"--calib-size", "50", "-o", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"epoch 1/2: loss ", "epoch 2/2: loss ", "train top-1 ", "fix positions frozen"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	for _, f := range []string{out, filepath.Join(dir, "qat.quant_info.json"), filepath.Join(dir, "qat.report.json")} {
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
		code, stdout, errs = fixq(t, "eval", c.m, "--data", data, "--mean", "0.5", "--std", "0.5", "--json")
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", c.m, code, errs)
		}
		if err := json.Unmarshal([]byte(stdout), c.v); err != nil {
			t.Fatalf("eval --json: %v: %q", err, stdout)
		}
	}
	if q.N != 200 || q.Top1 < fl.Top1-0.03 {
		t.Errorf("QAT top-1 %.3f on %d images vs float %.3f", q.Top1, q.N, fl.Top1)
	}
}

func TestQATErrors(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/models/cnn_fmnist.onnx"
	code, _, errs := fixq(t, "qat", model, "-o", filepath.Join(dir, "q.onnx"))
	wantError(t, code, errs, 2, "--train")
	code, _, errs = fixq(t, "qat", model, "--train", dir, "--epochs", "0", "-o", filepath.Join(dir, "q.onnx"))
	wantError(t, code, errs, 2, "--epochs")
	os.MkdirAll(filepath.Join(dir, "flat"), 0o755)
	os.WriteFile(filepath.Join(dir, "flat", "a.png"), []byte("x"), 0o644)
	code, _, errs = fixq(t, "qat", model, "--train", filepath.Join(dir, "flat"), "-o", filepath.Join(dir, "q.onnx"), "--quiet")
	wantError(t, code, errs, 1, "sub-folder per class")
	code, _, errs = fixq(t, "qat", model, "--train", dir, "--optimizer", "rmsprop", "-o", filepath.Join(dir, "q.onnx"), "--quiet")
	wantError(t, code, errs, 1, "optimizer")
}
