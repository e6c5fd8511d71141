package conformance

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"fixq/core/engine"
	"fixq/core/onnx"
	"fixq/core/onnx/onnxpb"
	"fixq/core/ops"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

var update = flag.Bool("update", false, "rewrite testdata/expected_cases.txt and testdata/excluded.txt from the current results")

// backendSuites are the folders of Debian's libonnx-testdata that hold
// runnable cases (real/ only has download links).
var backendSuites = []string{"node", "pytorch-converted", "pytorch-operator", "simple"}

const (
	expectedFile = "testdata/expected_cases.txt"
	excludedFile = "testdata/excluded.txt"
	// caseTimeout bounds one case; a kernel that loops forever is a failure
	// of that case, not a hung test binary.
	caseTimeout = 60 * time.Second
)

// Outcome kinds. A case that runs is pass or fail; one that cannot run
// (unsupported op, dtype, value kind or attribute) is excluded, with the
// reason. A case that runs and mismatches, errors or panics is a fail:
// never an exclusion.
const (
	kindPass     = "pass"
	kindFail     = "fail"
	kindExcluded = "excluded"
)

type outcome struct {
	kind   string
	detail string // why it failed or is excluded
	// category buckets exclusions for the summary (not written).
	category string
}

func (o outcome) String() string {
	if o.detail == "" {
		return o.kind
	}
	return o.kind + ": " + o.detail
}

// scopeNotes says why an op is not merely missing but out of fixq's scope
// (fixq quantizes feed-forward CNNs). Ops without a note are "not yet".
var scopeNotes = map[string]string{
	"LSTM": "recurrent", "GRU": "recurrent", "RNN": "recurrent",
	"If": "control flow", "Loop": "control flow", "Scan": "control flow",
	"RandomNormal": "random", "RandomNormalLike": "random", "RandomUniform": "random",
	"RandomUniformLike": "random", "Multinomial": "random", "Bernoulli": "random",
	"SequenceAt": "sequences", "SequenceConstruct": "sequences", "SequenceEmpty": "sequences",
	"SequenceErase": "sequences", "SequenceInsert": "sequences", "SequenceLength": "sequences",
	"SequenceMap": "sequences", "SplitToSequence": "sequences", "ConcatFromSequence": "sequences",
	"Optional": "optionals", "OptionalGetElement": "optionals", "OptionalHasElement": "optionals",
	"StringNormalizer": "strings", "TfIdfVectorizer": "strings", "RegexFullMatch": "strings",
	"StringConcat": "strings", "StringSplit": "strings",
}

// caseNotes are hand-written remarks appended to a case's automatic
// reason, for cases whose cause is deeper than the first thing missing.
var caseNotes = map[string]string{}

func opNote(domain, op string) string {
	switch domain {
	case "", "ai.onnx":
	case "ai.onnx.preview.training":
		return "out of scope: training"
	case "ai.onnx.ml":
		return "out of scope: ONNX-ML domain"
	default:
		return "out of scope: custom domain"
	}
	if n, ok := scopeNotes[op]; ok {
		return "out of scope: " + n
	}
	return ""
}

// dtypeName spells an ONNX data type the way numpy does.
func dtypeName(dt int32) string {
	switch onnxpb.TensorProto_DataType(dt) {
	case onnxpb.TensorProto_FLOAT:
		return "float32"
	case onnxpb.TensorProto_DOUBLE:
		return "float64"
	case onnxpb.TensorProto_FLOAT16:
		return "float16"
	}
	s := onnxpb.TensorProto_DataType(dt).String()
	return strings.ToLower(s)
}

// precheck reads the model's own proto (independently of core/onnx) and
// lists what fixq cannot run: unsupported ops (top level; subgraphs only
// matter through their If/Loop/Scan, which is unsupported), tensor dtypes
// fixq does not hold, and non-tensor values. An empty result means the
// case should run.
func precheck(mp *onnxpb.ModelProto) (reasons []string, category string) {
	g := mp.GetGraph()
	opsMissing := map[string]string{}
	for _, n := range g.GetNode() {
		if _, ok := ops.Lookup(n.GetDomain(), n.GetOpType()); ok {
			continue
		}
		key := n.GetOpType()
		if d := n.GetDomain(); d != "" && d != "ai.onnx" {
			key = d + ":" + key
		}
		opsMissing[key] = opNote(n.GetDomain(), n.GetOpType())
	}
	dtypes := map[string]bool{}
	kinds := map[string]bool{}
	addType := func(tp *onnxpb.TypeProto) {
		switch {
		case tp == nil || tp.GetValue() == nil:
		case tp.GetTensorType() != nil:
			if et := tp.GetTensorType().GetElemType(); et != 0 && !tensor.DType(et).Supported() {
				dtypes[dtypeName(et)] = true
			}
		case tp.GetSequenceType() != nil:
			kinds["sequence"] = true
		case tp.GetOptionalType() != nil:
			kinds["optional"] = true
		case tp.GetMapType() != nil:
			kinds["map"] = true
		case tp.GetSparseTensorType() != nil:
			kinds["sparse tensor"] = true
		}
	}
	for _, vs := range [][]*onnxpb.ValueInfoProto{g.GetInput(), g.GetOutput(), g.GetValueInfo()} {
		for _, v := range vs {
			addType(v.GetType())
		}
	}
	addTensor := func(tp *onnxpb.TensorProto) {
		if tp != nil && !tensor.DType(tp.GetDataType()).Supported() {
			dtypes[dtypeName(tp.GetDataType())] = true
		}
	}
	for _, tp := range g.GetInitializer() {
		addTensor(tp)
	}
	if len(g.GetSparseInitializer()) > 0 {
		kinds["sparse tensor"] = true
	}
	for _, n := range g.GetNode() {
		for _, a := range n.GetAttribute() {
			addTensor(a.GetT())
			for _, tp := range a.GetTensors() {
				addTensor(tp)
			}
			if a.GetSparseTensor() != nil {
				kinds["sparse tensor"] = true
			}
		}
	}
	if len(opsMissing) > 0 {
		keys := sortedKeys(opsMissing)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k
			if note := opsMissing[k]; note != "" {
				parts[i] += " (" + note + ")"
			}
		}
		word := "op"
		if len(keys) > 1 {
			word = "ops"
		}
		reasons = append(reasons, fmt.Sprintf("unsupported %s %s", word, strings.Join(parts, ", ")))
		category = "unsupported op"
	}
	if len(dtypes) > 0 {
		reasons = append(reasons, "unsupported dtype "+strings.Join(sortedKeys(dtypes), ", "))
		if category == "" {
			category = "unsupported dtype"
		}
	}
	if len(kinds) > 0 {
		reasons = append(reasons, "non-tensor value ("+strings.Join(sortedKeys(kinds), ", ")+"; out of scope)")
		if category == "" {
			category = "non-tensor value"
		}
	}
	return reasons, category
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// unsupportedRe finds errors in which fixq says it does not support
// something (an attribute value, a mode, a dtype) rather than failing.
var unsupportedRe = regexp.MustCompile(`(?i)not supported|unsupported`)

// dtypeRefusalRe finds a kernel refusing an input's dtype ("input 0 (X) is
// uint8, want float32"): a dtype fixq's kernel does not take, not a wrong
// answer.
var dtypeRefusalRe = regexp.MustCompile(`\bis (u?int\d+|bool|float\d*), want (u?int\d+|bool|float\d*)`)

// classify turns an error from decoding, session setup or a run into an
// outcome: fixq saying "not supported" excludes the case with that
// message; anything else (wrong shapes, a kernel panic) is a failure.
func classify(stage string, err error) outcome {
	var ue *ops.UnsupportedError
	if errors.As(err, &ue) {
		return outcome{kind: kindExcluded, detail: err.Error(), category: "unsupported op"}
	}
	msg := oneLine(err.Error())
	if strings.Contains(msg, "internal error") {
		return outcome{kind: kindFail, detail: stage + ": " + msg}
	}
	if dtypeRefusalRe.MatchString(msg) {
		return outcome{kind: kindExcluded, detail: msg, category: "unsupported dtype"}
	}
	if unsupportedRe.MatchString(msg) {
		cat := "unsupported attribute/feature"
		if strings.Contains(msg, "data type") || strings.Contains(msg, "dtype") {
			cat = "unsupported dtype"
		}
		return outcome{kind: kindExcluded, detail: msg, category: cat}
	}
	return outcome{kind: kindFail, detail: stage + ": " + msg}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// runCase decides whether a backend case is runnable and runs every
// test_data_set of it.
func runCase(dir string) (o outcome) {
	defer func() {
		if r := recover(); r != nil {
			o = outcome{kind: kindFail, detail: oneLine(fmt.Sprintf("panic: %v", r))}
		}
	}()
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return outcome{kind: kindFail, detail: "harness: " + err.Error()}
	}
	var mp onnxpb.ModelProto
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &mp); err != nil {
		return outcome{kind: kindFail, detail: "harness: model.onnx is not a ModelProto: " + err.Error()}
	}
	if reasons, cat := precheck(&mp); len(reasons) > 0 {
		return outcome{kind: kindExcluded, detail: strings.Join(reasons, "; "), category: cat}
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		return classify("decode", err)
	}
	sess, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		return classify("session", err)
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if len(sets) == 0 {
		return outcome{kind: kindFail, detail: "harness: no test_data_set"}
	}
	sort.Strings(sets)
	g := m.Graph
	for _, set := range sets {
		ins, err := readPBs(set, "input")
		if err != nil {
			return classify("read inputs", err)
		}
		wants, err := readPBs(set, "output")
		if err != nil {
			return classify("read outputs", err)
		}
		if len(ins) != len(g.Inputs) {
			return outcome{kind: kindFail, detail: fmt.Sprintf("harness: %s has %d inputs, graph has %d", filepath.Base(set), len(ins), len(g.Inputs))}
		}
		if len(wants) != len(g.Outputs) {
			return outcome{kind: kindFail, detail: fmt.Sprintf("harness: %s has %d outputs, graph has %d", filepath.Base(set), len(wants), len(g.Outputs))}
		}
		feeds := map[string]*tensor.Tensor{}
		for i, vi := range g.Inputs {
			feeds[vi.Name] = ins[i]
		}
		outs, err := runWithTimeout(sess, feeds)
		if err != nil {
			return classify("run", err)
		}
		for i, vi := range g.Outputs {
			if err := compareONNX(outs[vi.Name], wants[i], onnxRtol, onnxAtol); err != nil {
				return outcome{kind: kindFail, detail: oneLine(fmt.Sprintf("%s output %d %q: %v", filepath.Base(set), i, vi.Name, err))}
			}
		}
	}
	return outcome{kind: kindPass}
}

func runWithTimeout(s *engine.Session, feeds map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	type result struct {
		outs map[string]*tensor.Tensor
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- result{err: fmt.Errorf("internal error: panic outside kernels: %v", r)}
			}
		}()
		outs, err := s.Run(ctx, feeds)
		ch <- result{outs, err}
	}()
	select {
	case r := <-ch:
		return r.outs, r.err
	case <-time.After(caseTimeout + 5*time.Second):
		return nil, fmt.Errorf("timed out after %v", caseTimeout)
	}
}

// readPBs reads PREFIX_0.pb, PREFIX_1.pb, ... as TensorProtos.
func readPBs(dir, prefix string) ([]*tensor.Tensor, error) {
	var out []*tensor.Tensor
	for i := 0; ; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s_%d.pb", prefix, i)))
		if errors.Is(err, os.ErrNotExist) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		t, err := onnx.DecodeTensor(b)
		if err != nil {
			return nil, fmt.Errorf("%s_%d.pb: %w", prefix, i, err)
		}
		out = append(out, t)
	}
}

// backendCase is one case folder, named suite/test_name.
type backendCase struct{ name, dir string }

func listBackendCases(t *testing.T, root string) []backendCase {
	var cases []backendCase
	for _, suite := range backendSuites {
		ents, err := os.ReadDir(filepath.Join(root, suite))
		if err != nil {
			t.Fatalf("libonnx-testdata: %v", err)
		}
		for _, e := range ents {
			if !e.IsDir() || !strings.HasPrefix(e.Name(), "test_") {
				continue
			}
			cases = append(cases, backendCase{suite + "/" + e.Name(), filepath.Join(root, suite, e.Name())})
		}
	}
	return cases
}

// TestBackend runs ONNX's backend test suite and asserts the outcome of
// every case against testdata/expected_cases.txt and testdata/excluded.txt.
func TestBackend(t *testing.T) {
	root := testassets.ONNXTestData(t)
	cases := listBackendCases(t, root)
	if len(cases) < 1000 {
		t.Fatalf("libonnx-testdata: found only %d cases under %s (want the 1072 of ONNX 1.12)", len(cases), root)
	}
	got := map[string]outcome{}
	start := time.Now()
	for _, c := range cases {
		o := runCase(c.dir)
		if note := caseNotes[c.name]; note != "" {
			o.detail += " (" + note + ")"
		}
		got[c.name] = o
	}
	t.Logf("ran the backend suite in %v", time.Since(start).Round(time.Millisecond))
	summary := backendSummary(got)
	t.Log("\n" + summary)
	if *update {
		writeOutcomes(t, got)
		return
	}
	want := readOutcomes(t)
	var diffs []string
	for _, c := range cases {
		g, w := got[c.name], want[c.name]
		switch {
		case w.kind == "":
			diffs = append(diffs, fmt.Sprintf("%s: new case, now %v (not in testdata)", c.name, g))
		case g.kind != w.kind:
			diffs = append(diffs, fmt.Sprintf("%s: was %v, now %v", c.name, w, g))
		case g.kind == kindExcluded && g.detail != w.detail:
			diffs = append(diffs, fmt.Sprintf("%s: reason was %q, now %q", c.name, w.detail, g.detail))
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: listed in testdata but not in %s", name, root))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%d cases differ from the committed outcomes (a regression is a bug; a newly passing case or a changed reason needs `go test ./core/conformance -run Backend -update` and a look at the diff):\n%s",
			len(diffs), strings.Join(diffs, "\n"))
	}
}

// backendSummary counts cases: total, run, passed, failed, excluded by
// category, and the unsupported ops that exclude the most cases.
func backendSummary(got map[string]outcome) string {
	var total, run, pass, fail, excl int
	byCat := map[string]int{}
	byOp := map[string]int{}
	var fails []string
	for name, o := range got {
		total++
		switch o.kind {
		case kindPass:
			run++
			pass++
		case kindFail:
			run++
			fail++
			fails = append(fails, name+": "+o.detail)
		case kindExcluded:
			excl++
			byCat[o.category]++
			if o.category == "unsupported op" {
				for _, op := range opsInReason(o.detail) {
					byOp[op]++
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ONNX backend suite: %d cases, %d run, %d passed, %d failed, %d excluded\n", total, run, pass, fail, excl)
	for _, c := range sortedKeys(byCat) {
		fmt.Fprintf(&b, "  excluded, %s: %d\n", c, byCat[c])
	}
	ops := sortedKeys(byOp)
	sort.SliceStable(ops, func(i, j int) bool { return byOp[ops[i]] > byOp[ops[j]] })
	if len(ops) > 25 {
		ops = ops[:25]
	}
	if len(ops) > 0 {
		b.WriteString("  most-missing ops (cases):")
		for _, op := range ops {
			fmt.Fprintf(&b, " %s(%d)", op, byOp[op])
		}
		b.WriteString("\n")
	}
	sort.Strings(fails)
	for _, f := range fails {
		fmt.Fprintf(&b, "  FAIL %s\n", f)
	}
	return b.String()
}

var opNameRe = regexp.MustCompile(`(?:^|, )([A-Za-z0-9_.:]+)`)

// opsInReason pulls the op names out of "unsupported op(s) A (note), B".
func opsInReason(detail string) []string {
	s, _, _ := strings.Cut(detail, ";")
	_, s, ok := strings.Cut(s, " ops ")
	if !ok {
		_, s, ok = strings.Cut(detail, " op ")
		if !ok {
			return nil
		}
		s, _, _ = strings.Cut(s, ";")
	}
	// Drop parenthesised notes before splitting.
	s = regexp.MustCompile(` \([^)]*\)`).ReplaceAllString(s, "")
	var out []string
	for _, m := range opNameRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

const outcomesHeader = `# Generated by: go test ./core/conformance -run Backend -update
# (reasons come from the failure kind; hand-written remarks live in caseNotes
# in onnx_backend_test.go). One case per line: suite/case: status.
`

func writeOutcomes(t *testing.T, got map[string]outcome) {
	var ran, excl strings.Builder
	ran.WriteString("# ONNX backend cases that fixq runs: pass, or fail with what went wrong.\n" + outcomesHeader)
	excl.WriteString("# ONNX backend cases that fixq cannot run, each with its reason.\n" + outcomesHeader)
	for _, name := range sortedKeys(got) {
		o := got[name]
		if o.kind == kindExcluded {
			fmt.Fprintf(&excl, "%s: %v\n", name, o)
		} else {
			fmt.Fprintf(&ran, "%s: %v\n", name, o)
		}
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(expectedFile, []byte(ran.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(excludedFile, []byte(excl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and %s", expectedFile, excludedFile)
}

func readOutcomes(t *testing.T) map[string]outcome {
	out := map[string]outcome{}
	for _, file := range []string{expectedFile, excludedFile} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatalf("%v (create it with: go test ./core/conformance -run Backend -update)", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for ln := 1; sc.Scan(); ln++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, rest, ok := strings.Cut(line, ": ")
			if !ok {
				name, rest, ok = strings.Cut(line, ":")
			}
			kind, detail, _ := strings.Cut(strings.TrimSpace(rest), ": ")
			if !ok || (kind != kindPass && kind != kindFail && kind != kindExcluded) {
				t.Fatalf("%s:%d: want `suite/case: pass|fail: why|excluded: why`, have %q", file, ln, line)
			}
			if kind == kindExcluded && detail == "" {
				t.Fatalf("%s:%d: an excluded case needs its reason: %q", file, ln, line)
			}
			if _, dup := out[name]; dup {
				t.Fatalf("%s:%d: case %s listed twice", file, ln, name)
			}
			out[name] = outcome{kind: kind, detail: detail}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
