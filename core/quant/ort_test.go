package quant

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"fixq/core/graph"
	"fixq/core/npy"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// Helpers that run an exported model in the independent witnesses:
// onnx.checker (Debian's python3-onnx) and onnxruntime-node (scripts/ort/run.js).

func repoRoot(t testing.TB) string {
	t.Helper()
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}

func writeModel(t testing.TB, m *graph.Model) string {
	t.Helper()
	b, err := onnx.EncodeBytes(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// onnxCheck runs onnx.checker.check_model (full_check: shape inference too).
func onnxCheck(t testing.TB, path string) {
	t.Helper()
	py := testassets.Python(t)
	cmd := exec.Command(py, "-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onnx.checker: %v\n%s", err, out)
	}
}

type ortOut struct {
	Dims []int     `json:"dims"`
	Data []float64 `json:"data"`
}

// runORT runs the model at path in onnxruntime-node on float32 inputs.
func runORT(t testing.TB, path string, inputs map[string]*tensor.Tensor) map[string]ortOut {
	t.Helper()
	nodeBin, env := testassets.Node(t)
	dir := t.TempDir()
	args := []string{filepath.Join(repoRoot(t), "scripts", "ort", "run.js"), path}
	for _, name := range sortedKeys(inputs) {
		var buf bytes.Buffer
		if err := npy.Write(&buf, inputs[name]); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name+".npy")
		if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name+"="+f)
	}
	cmd := exec.Command(nodeBin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("onnxruntime-node: %v\n%s", err, stderr.String())
	}
	var res map[string]ortOut
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("onnxruntime-node output: %v", err)
	}
	return res
}
