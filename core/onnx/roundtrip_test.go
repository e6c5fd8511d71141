package onnx

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/internal/testassets"
)

// realModels are the pretrained models from the npm packages. Models with
// control flow (If) decode but cannot be re-encoded: fixq keeps only the
// fact that a graph attribute exists.
var realModels = []struct {
	rel         string
	controlFlow bool
}{
	{"ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx", false},
	{"ocr-models/assets/ch_PP-OCRv4_det_infer.onnx", false},
	{"ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx", false},
	{"openwakeword/models/embedding_model.onnx", false},
	{"openwakeword/models/melspectrogram.onnx", false},
	{"openwakeword/models/alexa_v0.1.onnx", false},
	{"openwakeword/models/hey_mycroft_v0.1.onnx", false},
	{"openwakeword/models/hey_rhasspy_v0.1.onnx", false},
	{"openwakeword/models/timer_v0.1.onnx", false},
	{"openwakeword/models/weather_v0.1.onnx", false},
	{"openwakeword/models/hey_jarvis_v0.1.onnx", true},
	{"openwakeword/models/silero_vad.onnx", true},
}

// roundTrip decodes b, encodes, decodes again and compares structurally;
// it also checks that encoding is deterministic and stable. It returns the
// encoded bytes (nil if the model does not decode).
func roundTrip(t *testing.T, name string, b []byte) (m *graph.Model, enc []byte, decodeErr, encodeErr error) {
	t.Helper()
	m, decodeErr = DecodeBytes(b)
	if decodeErr != nil {
		return nil, nil, decodeErr, nil
	}
	enc, encodeErr = EncodeBytes(m)
	if encodeErr != nil {
		return m, nil, nil, encodeErr
	}
	m2, err := DecodeBytes(enc)
	if err != nil {
		t.Fatalf("%s: fixq's own output does not decode: %v", name, err)
	}
	if d := diffModels(m, m2); d != "" {
		t.Fatalf("%s: round trip changed the model: %s", name, d)
	}
	enc2, err := EncodeBytes(m2)
	if err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("%s: second encode differs (err %v, %d vs %d bytes)", name, err, len(enc), len(enc2))
	}
	return m, enc, nil, nil
}

func TestRoundTripRealModels(t *testing.T) {
	for _, rm := range realModels {
		path := testassets.Model(t, rm.rel)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, _, derr, eerr := roundTrip(t, rm.rel, b)
		if derr != nil {
			t.Fatalf("%s: %v", rm.rel, derr)
		}
		if rm.controlFlow {
			if eerr == nil || !strings.Contains(eerr.Error(), "node ") || !strings.Contains(eerr.Error(), "graph") {
				t.Errorf("%s: encode error %v should name the control-flow node", rm.rel, eerr)
			}
			continue
		}
		if eerr != nil {
			t.Fatalf("%s: %v", rm.rel, eerr)
		}
		if len(m.Graph.Nodes) == 0 {
			t.Errorf("%s: no nodes", rm.rel)
		}
	}
}

// testSuiteModels lists every model.onnx of Debian's ONNX backend test data.
func testSuiteModels(t *testing.T) []string {
	root := testassets.ONNXTestData(t)
	var files []string
	for _, dir := range []string{"node", "pytorch-converted", "pytorch-operator", "simple"} {
		m, err := filepath.Glob(filepath.Join(root, dir, "*", "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) < 1000 {
		t.Fatalf("found only %d test-suite models under %s", len(files), root)
	}
	return files
}

// TestRoundTripTestSuite round-trips every ONNX test-suite model that
// decodes. The ones that do not must fail for a known reason.
func TestRoundTripTestSuite(t *testing.T) {
	refused := map[string]int{}
	ok := 0
	for _, f := range testSuiteModels(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, _, derr, eerr := roundTrip(t, f, b)
		switch {
		case derr != nil:
			reason := knownRefusal(derr.Error())
			if reason == "" {
				t.Errorf("%s: unexpected decode error: %v", f, derr)
			}
			refused[reason]++
		case eerr != nil:
			if !strings.Contains(eerr.Error(), "of type graph") {
				t.Errorf("%s: unexpected encode error: %v", f, eerr)
			}
			refused["control flow (encode)"]++
		default:
			ok++
		}
	}
	t.Logf("round-tripped %d test-suite models; refused: %v", ok, refused)
	if ok < 1000 {
		t.Errorf("only %d models round-tripped", ok)
	}
}

func knownRefusal(msg string) string {
	for _, k := range []string{"not a tensor", "DOUBLE is not supported"} {
		if strings.Contains(msg, k) {
			return k
		}
	}
	return ""
}

// checkerScript runs Debian's onnx.checker on each file argument and
// prints one JSON line per file.
const checkerScript = `
import json, sys, onnx
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f))
        print(json.dumps({"file": f, "ok": True}))
    except Exception as e:
        print(json.dumps({"file": f, "ok": False, "error": str(e).strip().split("\n")[0]}))
`

type checkResult struct {
	File    string   `json:"file"`
	OK      bool     `json:"ok"`
	Error   string   `json:"error"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
}

func runJSONLines(t *testing.T, cmd *exec.Cmd) map[string]checkResult {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args[:2], err, stderr.String())
	}
	res := map[string]checkResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r checkResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		res[r.File] = r
	}
	return res
}

// writtenModels writes fixq's encoding of the real models and a sample of
// the test suite to dir and returns (original path, written path) pairs.
func writtenModels(t *testing.T, dir string, suiteStride int) (orig, written []string) {
	var srcs []string
	for _, rm := range realModels {
		if !rm.controlFlow {
			srcs = append(srcs, testassets.Model(t, rm.rel))
		}
	}
	for i, f := range testSuiteModels(t) {
		if i%suiteStride == 0 {
			srcs = append(srcs, f)
		}
	}
	for i, src := range srcs {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		m, err := DecodeBytes(b)
		if err != nil {
			continue
		}
		enc, err := EncodeBytes(m)
		if err != nil {
			continue
		}
		dst := filepath.Join(dir, fmt.Sprintf("%04d.onnx", i))
		if err := os.WriteFile(dst, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		orig, written = append(orig, src), append(written, dst)
	}
	return orig, written
}

// TestWrittenModelsPassChecker: every model fixq writes passes
// onnx.checker whenever the original did.
func TestWrittenModelsPassChecker(t *testing.T) {
	py := testassets.Python(t)
	orig, written := writtenModels(t, t.TempDir(), 5)
	before := runJSONLines(t, exec.Command(py, append([]string{"-c", checkerScript}, orig...)...))
	after := runJSONLines(t, exec.Command(py, append([]string{"-c", checkerScript}, written...)...))
	passed := 0
	for i := range orig {
		b, a := before[orig[i]], after[written[i]]
		if b.OK && !a.OK {
			t.Errorf("%s: original passes onnx.checker, fixq's copy fails: %s", orig[i], a.Error)
		}
		if a.OK {
			passed++
		}
		if !b.OK {
			t.Logf("%s: original fails onnx.checker too: %s", orig[i], b.Error)
		}
	}
	t.Logf("%d of %d written models pass onnx.checker", passed, len(written))
}

// TestWrittenModelsLoadInORT: onnxruntime-node loads fixq's copies and
// reports the same input and output names.
func TestWrittenModelsLoadInORT(t *testing.T) {
	node, env := testassets.Node(t)
	script, err := filepath.Abs("../../scripts/ort/load.js")
	if err != nil {
		t.Fatal(err)
	}
	orig, written := writtenModels(t, t.TempDir(), 25)
	cmd := exec.Command(node, append([]string{script}, orig...)...)
	cmd.Env = env
	before := runJSONLines(t, cmd)
	cmd = exec.Command(node, append([]string{script}, written...)...)
	cmd.Env = env
	after := runJSONLines(t, cmd)
	loaded := 0
	for i := range orig {
		b, a := before[orig[i]], after[written[i]]
		if b.Error == "" && a.Error != "" {
			t.Errorf("%s: ORT loads the original but not fixq's copy: %s", orig[i], a.Error)
			continue
		}
		if a.Error == "" {
			loaded++
			if strings.Join(a.Inputs, ",") != strings.Join(b.Inputs, ",") || strings.Join(a.Outputs, ",") != strings.Join(b.Outputs, ",") {
				t.Errorf("%s: ORT sees inputs %v outputs %v, original %v %v", orig[i], a.Inputs, a.Outputs, b.Inputs, b.Outputs)
			}
		}
	}
	if loaded < 10 {
		t.Errorf("only %d of %d written models loaded in ORT", loaded, len(written))
	}
	t.Logf("%d of %d written models load in onnxruntime-node", loaded, len(written))
}
