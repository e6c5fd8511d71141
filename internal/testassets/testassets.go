// Package testassets finds the real assets that tests use (models from npm,
// Debian's data sets, the Node reference runtimes) and fails or skips
// honestly when one is missing: under CI=true a missing asset fails the
// test; elsewhere it skips with the command that installs it.
package testassets

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Cache is where scripts/setup.sh puts downloads ($FIXQ_CACHE or ~/.cache/fixq).
func Cache() string {
	if c := os.Getenv("FIXQ_CACHE"); c != "" {
		return c
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "fixq")
}

// CI reports whether we run under CI (CI=true).
func CI() bool { return os.Getenv("CI") == "true" }

// Require returns path if it exists; otherwise it fails the test under CI
// and skips it elsewhere.
func Require(t testing.TB, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, path+" (run scripts/setup.sh)")
	}
	return path
}

// Missing reports a missing asset: Fatal under CI, Skip elsewhere.
func Missing(t testing.TB, what string) {
	t.Helper()
	if CI() {
		t.Fatalf("missing asset: %s", what)
	}
	t.Skipf("missing asset: %s", what)
}

// Model returns the path of a model from the npm packages, e.g.
// Model(t, "ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx").
func Model(t testing.TB, rel string) string {
	t.Helper()
	return Require(t, filepath.Join(Cache(), "models", rel))
}

// PaddleCls, PaddleDet and PaddleRec are the PaddleOCR models.
func PaddleCls(t testing.TB) string {
	return Model(t, "ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx")
}
func PaddleDet(t testing.TB) string { return Model(t, "ocr-models/assets/ch_PP-OCRv4_det_infer.onnx") }
func PaddleRec(t testing.TB) string { return Model(t, "ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx") }

// ONNXTestData is Debian's libonnx-testdata root.
func ONNXTestData(t testing.TB) string {
	return Require(t, "/usr/share/libonnx-testdata/data")
}

// Node returns the path of node with NODE_PATH set up for the cached
// npm packages, or fails/skips when node or the packages are missing.
func Node(t testing.TB) (nodeBin string, env []string) {
	t.Helper()
	nb, err := exec.LookPath("node")
	if err != nil {
		Missing(t, "node")
	}
	nm := Require(t, filepath.Join(Cache(), "node", "node_modules", "onnxruntime-node"))
	return nb, append(os.Environ(), "NODE_PATH="+filepath.Dir(nm))
}

// Python returns Debian's python3 (which has torch, onnx and numpy).
func Python(t testing.TB) string {
	t.Helper()
	return Require(t, "/usr/bin/python3")
}
