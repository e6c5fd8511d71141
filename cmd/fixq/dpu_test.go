package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"fixq/core/tensor"
)

// The DPU emulator through the CLI: quantize cnn_fmnist, then
// eval --dpu must score exactly what the QDQ model scores under ONNX
// semantics (core/engine on the exported graph, an independent path whose
// int8 logits equal the simulation's), and run --dpu --dump must write
// every int8 tensor with its fix_pos, the logits equal to the QDQ run's.
func TestDPURunEvalDump(t *testing.T) {
	dir := t.TempDir()
	calib, evalDir := filepath.Join(dir, "calib"), filepath.Join(dir, "eval")
	writeFMNIST(t, calib, 32, false)
	writeFMNIST(t, evalDir, 100, true)
	q := filepath.Join(dir, "q.onnx")
	if code, _, errs := fixq(t, "quantize", "../../testdata/models/cnn_fmnist.onnx", "--calib", calib, "--mean", "0.5", "--std", "0.5", "-o", q, "--quiet"); code != 0 {
		t.Fatalf("quantize: exit %d: %s", code, errs)
	}
	type evalRes struct {
		Top1    float64 `json:"top1"`
		N       int     `json:"n"`
		Backend string  `json:"backend"`
	}
	var ref, emu evalRes
	for _, c := range []struct {
		args []string
		v    *evalRes
	}{{[]string{"eval", q}, &ref}, {[]string{"eval", "--dpu", q}, &emu}} {
		code, stdout, errs := fixq(t, append(c.args, "--data", evalDir, "--mean", "0.5", "--std", "0.5", "--json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		if err := json.Unmarshal([]byte(stdout), c.v); err != nil {
			t.Fatal(err)
		}
	}
	if emu.N != 100 || emu.Top1 != ref.Top1 || emu.Backend != "dpu-emulator DPUCZDX8G_ISA1_B4096" {
		t.Errorf("eval --dpu %+v, QDQ float path %+v", emu, ref)
	}
	code, _, errs := fixq(t, "eval", "--dpu", "--target", "NOPE", q, "--data", evalDir)
	wantError(t, code, errs, 1, "DPUCZDX8G_ISA1_B4096")

	// run: a batch of 4 test images as .npy
	x := tensor.MustNew(tensor.Float32, 4, 1, 28, 28)
	for i := range x.F32 {
		x.F32[i] = float32(math.Sin(float64(i))) // within the input range
	}
	in := filepath.Join(dir, "x.npy")
	if err := writeNpy(in, x); err != nil {
		t.Fatal(err)
	}
	fl, emuOut, dump := filepath.Join(dir, "float"), filepath.Join(dir, "dpu"), filepath.Join(dir, "dump")
	if code, _, errs := fixq(t, "run", q, "--input", in, "--out-dir", fl); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	if code, _, errs := fixq(t, "run", "--dpu", "--dump", dump, q, "--input", in, "--out-dir", emuOut); code != 0 {
		t.Fatalf("run --dpu: exit %d: %s", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(fl, "*.npy"))
	if len(files) != 1 {
		t.Fatalf("float outputs %v", files)
	}
	a, err := readNpy(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b, err := readNpy(filepath.Join(emuOut, filepath.Base(files[0])))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.F32 {
		if a.F32[i] != b.F32[i] {
			t.Fatalf("logit %d: QDQ float path %g, emulator %g", i, a.F32[i], b.F32[i])
		}
	}
	var doc struct {
		Format  string
		Tensors []struct {
			Name   string
			File   string
			FixPos int `json:"fix_pos"`
			Shape  []int
		}
	}
	raw, err := os.ReadFile(filepath.Join(dump, "fix_pos.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != "fixq-dpu-dump/1" || len(doc.Tensors) < 8 || doc.Tensors[0].Name != "input" {
		t.Fatalf("fix_pos.json: %s", raw)
	}
	// the logits tensor in the dump, dequantized, is the output
	last := doc.Tensors[len(doc.Tensors)-1]
	qt, err := readNpy(filepath.Join(dump, last.File))
	if err != nil {
		t.Fatal(err)
	}
	if qt.DType != tensor.Int8 || len(qt.I8) != len(b.F32) {
		t.Fatalf("dump %s: %v", last.File, qt)
	}
	for i, v := range qt.I8 {
		if float32(math.Ldexp(float64(v), -last.FixPos)) != b.F32[i] {
			t.Fatalf("dump %s[%d] = %d at fix_pos %d, output %g", last.File, i, v, last.FixPos, b.F32[i])
		}
	}
	code, _, errs = fixq(t, "run", "--dump", dump, q, "--input", in, "--out-dir", emuOut)
	wantError(t, code, errs, 2, "--dpu")
}
