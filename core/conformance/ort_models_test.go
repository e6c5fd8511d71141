package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/ops"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// ortMaxRel bounds max|fixq-ort| / max|ort| for every output of a real
// model. Both run float32; a deep net's summation order differs between
// the two (blocked sgemm vs MLAS), so bit equality is not expected, but
// 1e-4 of the output's range is two orders above float32 accumulation
// noise and far below any semantic error (a wrong pad, axis or constant
// moves outputs by percent).
const ortMaxRel = 1e-4

// ortRunJS is scripts/ort/run.js, relative to this package.
const ortRunJS = "../../scripts/ort/run.js"

type modelInput struct {
	name   string // what the input is, for the subtest name
	inputs []*tensor.Tensor
}

func owwModel(name string) func(testing.TB) string {
	return func(t testing.TB) string { return testassets.Model(t, "openwakeword/models/"+name) }
}

// TestORTModels runs each real model in fixq and in onnxruntime-node on the
// same inputs and compares every output.
func TestORTModels(t *testing.T) {
	cls := func() []modelInput {
		up := textImage(48, 192, 1, 1)
		return []modelInput{
			{"random", []*tensor.Tensor{randomInput(1, -1, 1, 1, 3, 48, 192)}},
			{"text", []*tensor.Tensor{paddleInput(up, 48, 192)}},
			{"text-rotated180", []*tensor.Tensor{paddleInput(rotate180(up), 48, 192)}},
		}
	}
	det := func(size int) func() []modelInput {
		return func() []modelInput {
			ins := []modelInput{{fmt.Sprintf("text%d", size), []*tensor.Tensor{paddleInput(textImage(size, size, size/40, 3), size, size)}}}
			if size == 320 {
				ins = append(ins, modelInput{"random320", []*tensor.Tensor{randomInput(2, -1, 1, 1, 3, size, size)}})
			}
			return ins
		}
	}
	rec := func() []modelInput {
		return []modelInput{
			{"random", []*tensor.Tensor{randomInput(4, -1, 1, 1, 3, 48, 320)}},
			{"text", []*tensor.Tensor{paddleInput(textImage(48, 320, 1, 5), 48, 320)}},
		}
	}
	random := func(seed uint64, lo, hi float32, shape ...int) func() []modelInput {
		return func() []modelInput {
			return []modelInput{{"random", []*tensor.Tensor{randomInput(seed, lo, hi, shape...)}}}
		}
	}
	cases := []struct {
		name   string
		path   func(testing.TB) string
		inputs func() []modelInput
		long   bool // skipped under -short
	}{
		{"paddle-cls", testassets.PaddleCls, cls, false},
		{"paddle-det", testassets.PaddleDet, det(320), false},
		{"paddle-det-640", testassets.PaddleDet, det(640), true},
		{"paddle-rec", testassets.PaddleRec, rec, false},
		// openWakeWord feeds raw 16 kHz audio in int16 scale as float32:
		// 1280 samples (80 ms) give 5 mel frames.
		{"oww-melspectrogram", owwModel("melspectrogram.onnx"), random(6, -3000, 3000, 1, 1280), false},
		{"oww-embedding", owwModel("embedding_model.onnx"), random(7, -1, 1, 1, 76, 32, 1), false},
		{"oww-alexa", owwModel("alexa_v0.1.onnx"), random(8, -1, 1, 1, 16, 96), false},
		{"oww-hey_mycroft", owwModel("hey_mycroft_v0.1.onnx"), random(9, -1, 1, 1, 16, 96), false},
		{"oww-hey_rhasspy", owwModel("hey_rhasspy_v0.1.onnx"), random(10, -1, 1, 1, 16, 96), false},
		{"oww-weather", owwModel("weather_v0.1.onnx"), random(11, -1, 1, 1, 22, 96), false},
		{"oww-timer", owwModel("timer_v0.1.onnx"), random(12, -1, 1, 1, 34, 96), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.long && testing.Short() {
				t.Skip("long: 640x640 det run is skipped under -short")
			}
			path := c.path(t)
			m := decodeFile(t, path)
			if exposePreActivations(m) > 0 {
				path = writeModel(t, m)
			}
			sess, err := engine.NewSession(m, engine.Options{})
			if err != nil {
				t.Fatalf("fixq refuses %s: %v", filepath.Base(path), err)
			}
			for _, mi := range c.inputs() {
				t.Run(mi.name, func(t *testing.T) {
					start := time.Now()
					got := runFixq(t, sess, mi.inputs)
					tFixq := time.Since(start)
					start = time.Now()
					ref := runORT(t, path, mi.inputs, len(m.Graph.Outputs))
					tORT := time.Since(start)
					for i, o := range m.Graph.Outputs {
						g, r := got[i], ref[i]
						if !tensor.SameShape(g.Shape, r.Shape) || g.DType != r.DType {
							t.Errorf("output %d %q: fixq %v, onnxruntime %v", i, o.Name, g, r)
							continue
						}
						if g.DType != tensor.Float32 {
							if err := compareONNX(g, r, 0, 0); err != nil {
								t.Errorf("output %d %q: %v", i, o.Name, err)
							}
							continue
						}
						maxAbs, rel := relErr(g.F32, r.F32)
						lo, hi := minMax(r.F32)
						t.Logf("output %d %q %v in [%.4g, %.4g]: max|fixq-ort| = %.3g, / max|ort| = %.3g (limit %g); fixq %v, ort (incl. node start) %v",
							i, o.Name, r.Shape, lo, hi, maxAbs, rel, ortMaxRel, tFixq.Round(time.Millisecond), tORT.Round(time.Millisecond))
						if !(rel <= ortMaxRel) {
							t.Errorf("output %d %q: max|fixq-ort| / max|ort| = %.3g > %g (max abs %.3g)", i, o.Name, rel, ortMaxRel, maxAbs)
						}
					}
				})
			}
		})
	}
}

// TestControlFlowModelsRefused checks that models with control flow are
// refused up front, naming every offending op and node, rather than failing
// mid-run.
func TestControlFlowModelsRefused(t *testing.T) {
	for _, c := range []struct {
		file string
		// wantOps must be named; silero_vad's LSTMs sit inside its If
		// branches, so the top-level refusal names the If.
		wantOps []string
	}{
		{"hey_jarvis_v0.1.onnx", []string{"If"}},
		{"silero_vad.onnx", []string{"If"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			m := decodeFile(t, owwModel(c.file)(t))
			_, err := engine.NewSession(m, engine.Options{})
			var ue *ops.UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("NewSession: got %v, want *ops.UnsupportedError", err)
			}
			for _, op := range c.wantOps {
				var want []string
				for _, n := range m.Graph.Nodes {
					if n.OpType == op {
						want = append(want, n.Name)
					}
				}
				if len(want) == 0 {
					t.Fatalf("model has no %s node (wrong model file?)", op)
				}
				got := append([]string(nil), ue.Ops[op]...)
				sort.Strings(got)
				sort.Strings(want)
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("UnsupportedError.Ops[%q] = %v, want nodes %v", op, got, want)
				}
				for _, name := range want {
					if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), op) {
						t.Errorf("error %q does not name %s node %q", err, op, name)
					}
				}
			}
			for op := range ue.Ops {
				if _, ok := ops.Lookup("", op); ok {
					t.Errorf("UnsupportedError names %s, which is supported", op)
				}
			}
			t.Logf("refused: %v", err)
		})
	}
}

// exposePreActivations adds the input of every final Sigmoid or Softmax
// as an extra graph output, so the comparison also sees the logits: a
// saturated sigmoid (the wake-word heads on random input give exactly 1)
// would hide any error upstream. Both fixq and onnxruntime then run the
// same modified model (re-encoded by core/onnx). It returns how many
// outputs it added.
func exposePreActivations(m *graph.Model) int {
	g := m.Graph
	prod := g.Producers()
	added := 0
	for _, o := range append([]graph.ValueInfo(nil), g.Outputs...) {
		n := prod[o.Name]
		if n == nil || (n.OpType != "Sigmoid" && n.OpType != "Softmax") || g.IsOutput(n.Inputs[0]) {
			continue
		}
		g.Outputs = append(g.Outputs, graph.ValueInfo{Name: n.Inputs[0], DType: tensor.Float32})
		added++
	}
	return added
}

func writeModel(t *testing.T, m *graph.Model) string {
	t.Helper()
	b, err := onnx.EncodeBytes(m)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	p := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func minMax(v []float32) (lo, hi float32) {
	if len(v) == 0 {
		return 0, 0
	}
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func decodeFile(t testing.TB, path string) *graph.Model {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatalf("decode %s: %v", filepath.Base(path), err)
	}
	return m
}

// runFixq runs the session on inputs given in graph-input order and returns
// the outputs in graph-output order.
func runFixq(t testing.TB, s *engine.Session, inputs []*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	g := s.Model.Graph
	if len(inputs) != len(g.Inputs) {
		t.Fatalf("model has %d inputs, test gives %d", len(g.Inputs), len(inputs))
	}
	feeds := map[string]*tensor.Tensor{}
	for i, vi := range g.Inputs {
		feeds[vi.Name] = inputs[i]
	}
	outs, err := s.Run(context.Background(), feeds)
	if err != nil {
		t.Fatalf("fixq run: %v", err)
	}
	res := make([]*tensor.Tensor, len(g.Outputs))
	for i, o := range g.Outputs {
		res[i] = outs[o.Name]
	}
	return res
}

// runORT runs scripts/ort/run.js on the model and returns its n outputs.
func runORT(t testing.TB, model string, inputs []*tensor.Tensor, n int) []*tensor.Tensor {
	t.Helper()
	nodeBin, env := testassets.Node(t)
	dir := t.TempDir()
	outDir := filepath.Join(dir, "out")
	args := []string{ortRunJS, model, outDir}
	for i, in := range inputs {
		p := filepath.Join(dir, fmt.Sprintf("in%d.npy", i))
		if err := writeNpy(p, in); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	cmd := exec.Command(nodeBin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onnxruntime-node (%s): %v\n%s", ortRunJS, err, out)
	}
	res := make([]*tensor.Tensor, n)
	for i := range res {
		r, err := readNpy(filepath.Join(outDir, fmt.Sprintf("%d.npy", i)))
		if err != nil {
			t.Fatal(err)
		}
		res[i] = r
	}
	return res
}
