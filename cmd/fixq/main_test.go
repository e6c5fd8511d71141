package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fixq/core/npy"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// fixq runs the CLI in-process and returns exit status, stdout, stderr.
func fixq(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// wantError checks a failed command: the status, one "fixq: " line on
// stderr, and the given substrings in it.
func wantError(t *testing.T, code int, stderr string, wantCode int, subs ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("exit status %d, want %d (stderr %q)", code, wantCode, stderr)
	}
	if !strings.HasPrefix(stderr, "fixq: ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q is not one line starting with \"fixq: \"", stderr)
	}
	for _, s := range subs {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr %q does not contain %q", stderr, s)
		}
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := fixq(t, "--help")
	if code != 0 || !strings.Contains(out, "info") || !strings.Contains(out, "run") {
		t.Errorf("fixq --help: %d %q", code, out)
	}
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			code, out, errOut := fixq(t, args...)
			if code != 0 || !strings.HasPrefix(out, "Usage: fixq "+c.name) || errOut != "" {
				t.Errorf("fixq %v: status %d stdout %q stderr %q", args, code, out, errOut)
			}
		}
	}
	code, _, errOut := fixq(t)
	if code != 2 || !strings.Contains(errOut, "Usage") {
		t.Errorf("fixq without arguments: %d %q", code, errOut)
	}
	code, _, errOut = fixq(t, "frobnicate")
	wantError(t, code, errOut, 2, `unknown command "frobnicate"`)
	code, _, errOut = fixq(t, "info", "--bogus", "m.onnx")
	wantError(t, code, errOut, 2, "bogus")
	code, _, errOut = fixq(t, "info")
	wantError(t, code, errOut, 2, "want one MODEL.onnx")
}

// pyCount is an independent description of a model by Debian's onnx.
const pyCount = `
import collections, json, sys, onnx
import numpy as np
m = onnx.load(sys.argv[1])
g = m.graph
inits = {i.name for i in g.initializer}
params = sum(int(np.prod(i.dims)) for i in g.initializer)
for n in g.node:
    if n.op_type == "Constant":
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                params += int(np.prod(a.t.dims))
def shape(v):
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in v.type.tensor_type.shape.dim]
print(json.dumps({
    "op_counts": collections.Counter(n.op_type for n in g.node),
    "parameters": params,
    "opsets": {(o.domain or "ai.onnx"): o.version for o in m.opset_import},
    "inputs": [{"name": v.name, "shape": shape(v)} for v in g.input if v.name not in inits],
    "outputs": [{"name": v.name, "shape": shape(v)} for v in g.output],
}))
`

func TestInfoMatchesONNX(t *testing.T) {
	py := testassets.Python(t)
	for _, path := range []string{testassets.PaddleCls(t), testassets.Model(t, "openwakeword/models/embedding_model.onnx")} {
		code, out, errOut := fixq(t, "info", path, "--json")
		if code != 0 {
			t.Fatalf("info --json: %d %s", code, errOut)
		}
		var got Info
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		ref, err := exec.Command(py, "-c", pyCount, path).Output()
		if err != nil {
			t.Fatal(err)
		}
		var want struct {
			OpCounts   map[string]int   `json:"op_counts"`
			Parameters int64            `json:"parameters"`
			Opsets     map[string]int64 `json:"opsets"`
			Inputs     []ValueInfo      `json:"inputs"`
			Outputs    []ValueInfo      `json:"outputs"`
		}
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		if got.FileBytes != st.Size() || got.Parameters != want.Parameters || !got.Supported ||
			jsonOf(got.OpCounts) != jsonOf(want.OpCounts) || jsonOf(got.Opsets) != jsonOf(want.Opsets) {
			t.Errorf("%s: got %s\nwant %s", path, out, ref)
		}
		for i := range want.Inputs {
			want.Inputs[i].DType = "float32"
		}
		for i := range want.Outputs {
			want.Outputs[i].DType = "float32"
		}
		if jsonOf(got.Inputs) != jsonOf(want.Inputs) || jsonOf(got.Outputs) != jsonOf(want.Outputs) {
			t.Errorf("%s: inputs/outputs %s %s, want %s %s", path, jsonOf(got.Inputs), jsonOf(got.Outputs), jsonOf(want.Inputs), jsonOf(want.Outputs))
		}
		code, text, _ := fixq(t, "info", path)
		if code != 0 || !strings.Contains(text, "Conv ") || !strings.Contains(text, "supported   yes") {
			t.Errorf("text info: %s", text)
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestInfoUnsupported(t *testing.T) {
	path := testassets.Model(t, "openwakeword/models/hey_jarvis_v0.1.onnx")
	code, out, _ := fixq(t, "info", path)
	if code != 0 || !strings.Contains(out, "supported   no") || !strings.Contains(out, "unsupported op If (1 node): If_32") {
		t.Errorf("info on hey_jarvis: %d\n%s", code, out)
	}
	code, _, errOut := fixq(t, "run", path, "--input", "x.1=nope.npy", "--out-dir", t.TempDir())
	wantError(t, code, errOut, 1, "nope.npy")
	in := filepath.Join(t.TempDir(), "x.npy")
	writeTensor(t, in, tensor.MustNew(tensor.Float32, 1, 16, 96))
	code, _, errOut = fixq(t, "run", path, "--input", in, "--out-dir", t.TempDir())
	wantError(t, code, errOut, 1, "unsupported ops: If (1 node: If_32)")
}

func writeTensor(t *testing.T, path string, x *tensor.Tensor) {
	t.Helper()
	var b bytes.Buffer
	if err := npy.Write(&b, x); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readTensor(t *testing.T, path string) *tensor.Tensor {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := npy.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// buildModels writes small models with Debian's onnx.helper:
// two.onnx: y = Relu(x), "out/z:0" = x * a/b (inputs x, a/b float[2,3]);
// one.onnx: y = Relu(x) with x float[N,3]; old.onnx: Relu at opset 6.
const buildModels = `
import sys, onnx
from onnx import helper, TensorProto as T
d = sys.argv[1]
x = helper.make_tensor_value_info("x", T.FLOAT, [2, 3])
ab = helper.make_tensor_value_info("a/b", T.FLOAT, [2, 3])
y = helper.make_tensor_value_info("y", T.FLOAT, [2, 3])
z = helper.make_tensor_value_info("out/z:0", T.FLOAT, [2, 3])
g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu"),
                       helper.make_node("Mul", ["x", "a/b"], ["out/z:0"], name="mul")], "two", [x, ab], [y, z])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), d + "/two.onnx")
x1 = helper.make_tensor_value_info("x", T.FLOAT, ["N", 3])
y1 = helper.make_tensor_value_info("y", T.FLOAT, ["N", 3])
g1 = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "one", [x1], [y1])
onnx.save(helper.make_model(g1, opset_imports=[helper.make_opsetid("", 13)]), d + "/one.onnx")
onnx.save(helper.make_model(g1, opset_imports=[helper.make_opsetid("", 6)]), d + "/old.onnx")
`

func models(t *testing.T) string {
	dir := t.TempDir()
	cmd := exec.Command(testassets.Python(t), "-c", buildModels, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building models: %v\n%s", err, out)
	}
	return dir
}

func fileHash(t *testing.T, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestRun(t *testing.T) {
	dir := models(t)
	x := tensor.FromFloat32([]float32{-1, 2, -3, 4, 0, -0.5}, 2, 3)
	ab := tensor.FromFloat32([]float32{2, 2, 2, -1, 10, 4}, 2, 3)
	xp, abp := filepath.Join(dir, "x.npy"), filepath.Join(dir, "a=b.npy")
	writeTensor(t, xp, x)
	writeTensor(t, abp, ab)
	hx, hab := fileHash(t, xp), fileHash(t, abp)
	out := filepath.Join(dir, "out")
	code, stdout, errOut := fixq(t, "run", filepath.Join(dir, "two.onnx"), "--input", "x="+xp, "--input", "a/b="+abp, "--out-dir", out)
	if code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	// Expected values: plain loops.
	wantY, wantZ := make([]float32, 6), make([]float32, 6)
	for i, v := range x.F32 {
		wantY[i] = float32(math.Max(float64(v), 0))
		wantZ[i] = v * ab.F32[i]
	}
	for file, want := range map[string][]float32{"y.npy": wantY, "out_z_0.npy": wantZ} {
		got := readTensor(t, filepath.Join(out, file))
		if !tensor.SameShape(got.Shape, []int{2, 3}) || jsonOf(got.F32) != jsonOf(want) {
			t.Errorf("%s: got %v %v, want %v", file, got, got.F32, want)
		}
	}
	if !strings.Contains(stdout, "out/z:0") || !strings.Contains(stdout, "out_z_0.npy") {
		t.Errorf("stdout %q does not list the outputs", stdout)
	}
	if fileHash(t, xp) != hx || fileHash(t, abp) != hab {
		t.Error("an input file changed")
	}

	// One-input model: FILE without NAME=, any batch size.
	x5 := tensor.MustNew(tensor.Float32, 5, 3)
	for i := range x5.F32 {
		x5.F32[i] = float32(i) - 7
	}
	x5p := filepath.Join(dir, "x5.npy")
	writeTensor(t, x5p, x5)
	code, _, errOut = fixq(t, "run", "--out-dir", out, filepath.Join(dir, "one.onnx"), "--input", x5p)
	if code != 0 {
		t.Fatalf("one-input run: %s", errOut)
	}
	y5 := readTensor(t, filepath.Join(out, "y.npy"))
	for i, v := range y5.F32 {
		if want := float32(math.Max(float64(i)-7, 0)); v != want || !tensor.SameShape(y5.Shape, []int{5, 3}) {
			t.Fatalf("one-input y[%d] = %v, want %v (shape %v)", i, v, want, y5.Shape)
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := models(t)
	two, one, old := filepath.Join(dir, "two.onnx"), filepath.Join(dir, "one.onnx"), filepath.Join(dir, "old.onnx")
	good := filepath.Join(dir, "good.npy")
	writeTensor(t, good, tensor.MustNew(tensor.Float32, 2, 3))
	i64 := filepath.Join(dir, "i64.npy")
	writeTensor(t, i64, tensor.MustNew(tensor.Int64, 2, 3))
	wrongShape := filepath.Join(dir, "shape.npy")
	writeTensor(t, wrongShape, tensor.MustNew(tensor.Float32, 3, 2))
	rank1 := filepath.Join(dir, "rank1.npy")
	writeTensor(t, rank1, tensor.MustNew(tensor.Float32, 6))
	garbage := filepath.Join(dir, "garbage.npy")
	os.WriteFile(garbage, []byte("not npy"), 0o644)
	out := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		code int
		subs []string
	}{
		{"wrong dtype", []string{"run", two, "--input", "x=" + i64, "--input", "a/b=" + good, "--out-dir", out}, 1, []string{"i64.npy", `input "x"`, "int64", "float32"}},
		{"wrong shape", []string{"run", two, "--input", "x=" + good, "--input", "a/b=" + wrongShape, "--out-dir", out}, 1, []string{"shape.npy", `input "a/b"`, "[3 2]", "[2,3]"}},
		{"wrong rank", []string{"run", one, "--input", rank1, "--out-dir", out}, 1, []string{"rank1.npy", "rank 2"}},
		{"not npy", []string{"run", one, "--input", garbage, "--out-dir", out}, 1, []string{"garbage.npy", "npy: header"}},
		{"missing input", []string{"run", two, "--input", "x=" + good, "--out-dir", out}, 2, []string{`"a/b" has no --input`}},
		{"unknown name", []string{"run", two, "--input", "q=" + good, "--out-dir", out}, 2, []string{`no input "q"`, "x, a/b"}},
		{"name needed", []string{"run", two, "--input", good, "--out-dir", out}, 2, []string{"2 inputs", "NAME=FILE"}},
		{"given twice", []string{"run", one, "--input", good, "--input", "x=" + good, "--out-dir", out}, 2, []string{`"x" is given twice`}},
		{"no out-dir", []string{"run", one, "--input", good}, 2, []string{"--out-dir"}},
		{"no input", []string{"run", one, "--out-dir", out}, 2, []string{"no --input"}},
		{"opset 6", []string{"run", old, "--input", good, "--out-dir", out}, 1, []string{"old.onnx", "opset 6"}},
		{"missing model", []string{"run", filepath.Join(dir, "nope.onnx"), "--input", good, "--out-dir", out}, 1, []string{"nope.onnx"}},
		{"not a model", []string{"info", good}, 1, []string{"good.npy", "onnx:"}},
		{"overwrite input", []string{"run", one, "--input", filepath.Join(dir, "y.npy"), "--out-dir", dir}, 1, []string{"overwrite input"}},
	} {
		if c.name == "overwrite input" {
			writeTensor(t, filepath.Join(dir, "y.npy"), tensor.MustNew(tensor.Float32, 2, 3))
		}
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := fixq(t, c.args...)
			wantError(t, code, errOut, c.code, c.subs...)
		})
	}
}

// TestRunMatchesORT: `fixq run` on the PaddleOCR classifier agrees with
// onnxruntime-node on the same .npy input.
func TestRunMatchesORT(t *testing.T) {
	node, env := testassets.Node(t)
	model := testassets.PaddleCls(t)
	dir := t.TempDir()
	x := tensor.MustNew(tensor.Float32, 2, 3, 48, 192)
	for i := range x.F32 {
		x.F32[i] = float32(math.Sin(float64(i) * 0.37))
	}
	xp := filepath.Join(dir, "x.npy")
	writeTensor(t, xp, x)
	code, _, errOut := fixq(t, "run", model, "--input", xp, "--out-dir", dir)
	if code != 0 {
		t.Fatalf("fixq run: %s", errOut)
	}
	got := readTensor(t, filepath.Join(dir, "softmax_0.tmp_0.npy"))
	script, _ := filepath.Abs("../../scripts/ort/run.js")
	cmd := exec.Command(node, script, model, "x="+xp)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("ort: %v %s", err, stderr.String())
	}
	var ref map[string]struct {
		Dims []int     `json:"dims"`
		Data []float64 `json:"data"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	want := ref["softmax_0.tmp_0"]
	if !tensor.SameShape(got.Shape, want.Dims) {
		t.Fatalf("shape %v, ORT %v", got.Shape, want.Dims)
	}
	// Softmax probabilities after 53 float32 convs: 1e-4 absolute covers
	// summation-order differences (observed about 1e-6).
	worst := 0.0
	for i, v := range want.Data {
		worst = math.Max(worst, math.Abs(float64(got.F32[i])-v))
	}
	if worst > 1e-4 {
		t.Errorf("max |fixq - ORT| = %g; fixq %v, ORT %v", worst, got.F32, want.Data)
	}
	t.Logf("max |fixq - ORT| = %.3g on %v", worst, want.Data)
}
