package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fixq/core/job"
	"fixq/core/onnx"
	"fixq/core/prep"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// ReadModelInputs against the core's full ONNX decoder (a separate
// implementation on protobuf-go's generated types) on real models.
func TestReadModelInputsMatchesDecoder(t *testing.T) {
	paths := []string{
		testassets.PaddleCls(t),
		testassets.Model(t, "openwakeword/models/embedding_model.onnx"),
	}
	td := testassets.ONNXTestData(t)
	for _, c := range []string{"node/test_conv_with_strides_padding", "node/test_maxpool_2d_pads", "pytorch-converted/test_Conv2d", "simple/test_gradient_of_add"} {
		if p := filepath.Join(td, c, "model.onnx"); fileExists(p) {
			paths = append(paths, p)
		}
	}
	if len(paths) < 4 {
		t.Fatalf("only %d models found", len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadModelInputs(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		m, err := onnx.DecodeBytes(b)
		if err != nil {
			t.Fatalf("%s: core decoder: %v", p, err)
		}
		if len(got) != len(m.Graph.Inputs) {
			t.Fatalf("%s: %d inputs, the decoder has %d", p, len(got), len(m.Graph.Inputs))
		}
		for i, vi := range m.Graph.Inputs {
			want := make([]int64, len(vi.Shape))
			for j, d := range vi.Shape {
				want[j] = int64(d.Value)
				if want[j] <= 0 {
					want[j] = -1
				}
			}
			if got[i].Name != vi.Name || !reflect.DeepEqual(got[i].Shape, want) {
				t.Errorf("%s: input %d = %s %v, decoder says %s %v", p, i, got[i].Name, got[i].Shape, vi.Name, want)
			}
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestReadModelInputsRefusesNonONNX(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6")
	rnd := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(rnd)
	for name, b := range map[string][]byte{"empty": nil, "png": png, "text": []byte("hello, this is not a model\n"), "random": rnd, "json": []byte(`{"ir_version": 7}`)} {
		if _, err := ReadModelInputs(b); !errors.Is(err, errNotONNX) {
			t.Errorf("%s: err = %v, want errNotONNX", name, err)
		}
	}
}

func TestInferPreprocess(t *testing.T) {
	for _, c := range []struct {
		shape           []int64
		layout, order   string
		size, mean, std string
		note            bool
	}{
		{[]int64{-1, 3, 48, 192}, "nchw", OrderRGB, "48x192", "0, 0, 0", "1, 1, 1", false},
		{[]int64{1, 1, 28, 28}, "nchw", OrderGray, "28x28", "0", "1", false},
		{[]int64{1, 224, 224, 3}, "nhwc", OrderRGB, "224x224", "0, 0, 0", "1, 1, 1", false},
		{[]int64{-1, 3, -1, -1}, "nchw", OrderRGB, "224x224", "0, 0, 0", "1, 1, 1", true},
	} {
		f := DefaultForm()
		note, err := f.InferPreprocess([]ModelInput{{"x", c.shape}})
		if err != nil {
			t.Fatalf("%v: %v", c.shape, err)
		}
		if f.Layout != c.layout || f.ChannelOrder != c.order || f.InputSize != c.size || f.Mean != c.mean || f.Std != c.std || (note != "") != c.note {
			t.Errorf("%v: got %+v note %q", c.shape, f, note)
		}
	}
	f := DefaultForm()
	if _, err := f.InferPreprocess([]ModelInput{{"x", []int64{1, 10}}}); err == nil {
		t.Error("a 2-D input was accepted")
	}
	if _, err := f.InferPreprocess([]ModelInput{{"a", []int64{1, 3, 8, 8}}, {"b", []int64{1, 3, 8, 8}}}); err == nil {
		t.Error("two inputs were accepted")
	}
}

// The page's options JSON is what core/job parses (unknown fields are
// errors there), with the values the form says.
func TestOptionsJSONParsesInCore(t *testing.T) {
	f := DefaultForm()
	f.Target, f.Method, f.CLE, f.BiasCorrection, f.SkipBadImages = "DPUCZDX8G_ISA1_B512", "maxmin", true, true, true
	f.CalibCount, f.InputSize, f.ChannelOrder = "64", "32 x 40", OrderBGR
	f.Mean, f.Std = "0.485, 0.456,0.406", "0.229,0.224,0.225"
	s, err := f.OptionsJSON()
	if err != nil {
		t.Fatal(err)
	}
	o, err := job.ParseQuantizeOptions([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	want := job.QuantizeOptions{Method: "maxmin", CalibSize: 64, CLE: true, BiasCorrection: true, Target: "DPUCZDX8G_ISA1_B512", SkipBadImages: true,
		Preprocess: prep.Options{Size: [2]int{32, 40}, BGR: true, Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("core parsed %s as\n%+v, want\n%+v", s, o, want)
	}

	// Identity normalisation and the default method are left out.
	g := DefaultForm()
	g.ChannelOrder, g.Mean, g.Std, g.InputSize = OrderGray, "0", "1", "28x28"
	s, err = g.OptionsJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"calib_size":100,"target":"DPUCZDX8G_ISA1_B4096","preprocess":{"size":[28,28],"gray":true}}`; s != want {
		t.Errorf("got %s, want %s", s, want)
	}
	if _, err := job.ParseQuantizeOptions([]byte(s)); err != nil {
		t.Error(err)
	}

	for _, bad := range []func(*Form){
		func(f *Form) { f.InputSize = "big" },
		func(f *Form) { f.Mean = "1, 2" },
		func(f *Form) { f.Std = "0" },
		func(f *Form) { f.Std = "x" },
		func(f *Form) { f.CalibCount = "-3" },
	} {
		f := DefaultForm()
		f.InputSize = "8x8"
		bad(&f)
		if _, err := f.OptionsJSON(); err == nil {
			t.Errorf("form %+v was accepted", f)
		}
	}
}

// The mirrored result types decode the core's real JSON and agree with the
// core's own structs on every field the page shows.
func TestResultsMirrorCore(t *testing.T) {
	b, err := os.ReadFile(testassets.PaddleCls(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := job.Inspect(ctx, b, job.InspectOptions{Target: "DPUCZDX8G_ISA1_B1024", InputShapes: map[string][]int{"x": {1, 3, 48, 192}}}, job.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var ins InspectResult
	if err := json.Unmarshal(res.JSON(), &ins); err != nil {
		t.Fatal(err)
	}
	r, l := res.Report, res.Latency
	if ins.Inspector.Target != r.Target || len(ins.Inspector.Nodes) != len(r.Nodes) || ins.Inspector.Summary.DPUSubgraphs != r.Summary.DPUSubgraphs ||
		ins.Inspector.Summary.CPUSubgraphs != r.Summary.CPUSubgraphs || ins.Inspector.Summary.DPUNodes != r.Summary.DPUNodes {
		t.Fatalf("inspector mirror differs: %+v", ins.Inspector.Summary)
	}
	for i, n := range r.Nodes {
		m := ins.Inspector.Nodes[i]
		if m.Name != n.Name || m.OpType != n.OpType || m.Device != string(n.Device) || m.Constraint != n.Constraint || m.Note != n.Note || m.Subgraph != n.Subgraph {
			t.Errorf("node %d: mirror %+v, core %+v", i, m, n)
		}
	}
	if ins.Latency == nil || ins.Latency.TotalCycles != l.TotalCycles || ins.Latency.FPS != l.FPS || ins.Latency.LatencyMs != l.LatencyMs || len(ins.Latency.Layers) != len(l.Layers) {
		t.Fatalf("latency mirror differs")
	}
	if l.TotalCycles <= 0 || r.Summary.DPUSubgraphs < 1 {
		t.Fatalf("implausible core result: %d cycles, %d DPU subgraphs", l.TotalCycles, r.Summary.DPUSubgraphs)
	}

	// A quantization on 2 random inputs gives a report and quant info.
	x := make([]float32, 2*3*48*192)
	rng := rand.New(rand.NewSource(7))
	for i := range x {
		x[i] = rng.Float32()*2 - 1
	}
	q, err := job.Quantize(ctx, job.QuantizeRequest{Model: b, Calib: &prep.Dataset{Tensor: tensor.FromFloat32(x, 2, 3, 48, 192)}}, job.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rep QuantReport
	var info QuantInfo
	var coreRep quant.Report
	var coreInfo quant.QuantInfo
	for _, d := range []struct {
		b []byte
		v any
	}{{q.Report, &rep}, {q.QuantInfo, &info}, {q.Report, &coreRep}, {q.QuantInfo, &coreInfo}} {
		if err := json.Unmarshal(d.b, d.v); err != nil {
			t.Fatal(err)
		}
	}
	if len(rep.Layers) == 0 || len(rep.Layers) != len(coreRep.Layers) || len(info.Tensors) != len(coreInfo.Tensors) {
		t.Fatalf("report mirror: %d layers (core %d), %d tensors (core %d)", len(rep.Layers), len(coreRep.Layers), len(info.Tensors), len(coreInfo.Tensors))
	}
	for i, cl := range coreRep.Layers {
		m := rep.Layers[i]
		if m.Node != cl.Node || m.Tensor != cl.Tensor || m.FixPos != cl.FixPos || m.OpType != cl.OpType || !reflect.DeepEqual(m.SQNRdB, cl.SQNRdB) || !reflect.DeepEqual(m.WeightRange, cl.WeightRange) {
			t.Errorf("layer %d: mirror %+v, core %+v", i, m, cl)
		}
	}
	// Joined with the latency: every row with a weight fix_pos (a
	// conv-like layer, fused or not) finds its cycles, and every weight
	// tensor of the quant info lands on some row.
	rows := JoinLayers(&rep, &info, ins.Latency)
	withW, withCycles, weights := 0, 0, 0
	for _, r := range rows {
		if r.WeightFixPos != nil {
			withW++
			if r.Cycles > 0 {
				withCycles++
			}
		}
	}
	for _, ti := range info.Tensors {
		if ti.Kind == "weight" {
			weights++
		}
	}
	if withW == 0 || withCycles != withW || withW != weights {
		t.Errorf("%d rows with weights (%d weight tensors), %d of them with DPU cycles", withW, weights, withCycles)
	}
}

func TestSortLayers(t *testing.T) {
	db := func(v float64) *float64 { return &v }
	rows := []LayerRow{
		{QuantLayer: QuantLayer{Node: "b", FixPos: 5, SQNRdB: db(30)}, Cycles: 100},
		{QuantLayer: QuantLayer{Node: "a", FixPos: 7, SQNRdB: nil}, Cycles: -1},
		{QuantLayer: QuantLayer{Node: "c", FixPos: 5, SQNRdB: db(12.5)}, Cycles: 900},
	}
	names := func(rs []LayerRow) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Node)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		col  string
		desc bool
		want string
	}{
		{ColNode, false, "a,b,c"}, {ColNode, true, "c,b,a"},
		{ColSQNR, false, "c,b,a"}, {ColSQNR, true, "b,c,a"}, // no SQNR last both ways
		{ColCycles, true, "c,b,a"}, {ColFixPos, false, "b,c,a"}, // ties keep graph order
		{ColOrder, false, "b,a,c"},
	} {
		if got := names(SortLayers(rows, c.col, c.desc)); got != c.want {
			t.Errorf("sort by %s desc=%v: %s, want %s", c.col, c.desc, got, c.want)
		}
	}
	if names(rows) != "b,a,c" {
		t.Error("SortLayers changed its input")
	}
}

// GridRange follows the fact sheet: int8 at fix_pos p holds k·2^-p for
// k in [-128, 127].
func TestGridRange(t *testing.T) {
	lo, hi, step := GridRange(7)
	if lo != -1 || hi != 127.0/128 || step != 1.0/128 {
		t.Errorf("fix_pos 7: [%v, %v] step %v", lo, hi, step)
	}
	lo, hi, step = GridRange(-2)
	if lo != -512 || hi != 508 || step != 4 {
		t.Errorf("fix_pos -2: [%v, %v] step %v", lo, hi, step)
	}
}

// The chart is well-formed XML with escaped names, with and without a
// histogram.
func TestHistogramSVG(t *testing.T) {
	wfp := 9
	r := LayerRow{QuantLayer: QuantLayer{Node: `conv<1>&"x"`, OpType: "Conv", Tensor: "t", FixPos: 4, WeightRange: []float32{-0.3, 0.25}}, WeightFixPos: &wfp}
	for _, h := range []*Histogram{nil, {Min: -3, Max: 9, Counts: []int64{1, 0, 5, 100, 7, 0, 0, 2}}} {
		r.Histogram = h
		s := HistogramSVG(r)
		dec := xml.NewDecoder(strings.NewReader(s))
		rects := 0
		for {
			tok, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("not well-formed: %v\n%s", err, s)
				}
				break
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
				for _, a := range se.Attr {
					if a.Name.Local == "class" && a.Value == "bar" {
						rects++
					}
				}
			}
		}
		if want := map[bool]int{true: 0, false: 5}[h == nil]; rects != want {
			t.Errorf("histogram %v: %d bars, want %d (non-zero bins)", h != nil, rects, want)
		}
		if !strings.Contains(s, "conv&lt;1&gt;&amp;&#34;x&#34;") {
			t.Errorf("node name not escaped: %s", s)
		}
		if !bytes.Contains([]byte(s), []byte("[-8, 7.938]")) {
			t.Errorf("grid range of fix_pos 4 missing: %s", s)
		}
	}
}

// The demo manifest (scripts/train/train_models.py's format) sets the
// preprocessing the model was trained with.
func TestApplyManifest(t *testing.T) {
	var m Manifest
	js := `{"model":"model.onnx","input":{"name":"input","shape":["N",1,28,28],"layout":"NCHW"},"channels":"gray","scale":255,
		"mean":[0.5],"std":[0.5],"calib":["calib/000.png","calib/001.png","calib/002.png"]}`
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	f := DefaultForm()
	if err := f.ApplyManifest(m); err != nil {
		t.Fatal(err)
	}
	s, err := f.OptionsJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"calib_size":3,"target":"DPUCZDX8G_ISA1_B4096","preprocess":{"size":[28,28],"gray":true,"mean":[0.5],"std":[0.5]}}`
	if s != want {
		t.Errorf("got %s, want %s", s, want)
	}
}

// A Relu fused into a Conv takes the Conv's weight fix_pos and cycles; the
// input row takes none (shapes of the demo model's JSON).
func TestJoinLayersFusedGroups(t *testing.T) {
	rep := &QuantReport{Layers: []QuantLayer{
		{Node: "conv0", OpType: "Conv", Tensor: "input", Kind: "input", FixPos: 6, WeightRange: []float32{-3, 3.8}},
		{Node: "relu2", OpType: "Relu", Tensor: "r2", Kind: "activation", FixPos: 4, WeightRange: []float32{-3, 3.8}},
		{Node: "pool3", OpType: "MaxPool", Tensor: "p3", Kind: "activation", FixPos: 4},
	}}
	info := &QuantInfo{
		Tensors: []TensorInfo{{Name: "w0", Kind: "weight", Node: "conv0", FixPos: 5}, {Name: "input", Kind: "input", Node: "conv0", FixPos: 6}},
		Nodes:   []NodeInfo{{Name: "conv0", OpType: "Conv"}, {Name: "relu2", OpType: "Relu", FusedFrom: "conv0"}, {Name: "pool3", OpType: "MaxPool"}},
	}
	lat := &LatencyReport{Layers: []LayerLatency{{Node: "conv0", Cycles: 294}, {Node: "pool3", Cycles: 196}}}
	rows := JoinLayers(rep, info, lat)
	if r := rows[0]; r.Cycles != -1 || r.WeightFixPos != nil || r.WeightRange != nil {
		t.Errorf("input row: %+v", r)
	}
	if r := rows[1]; r.Cycles != 294 || r.WeightFixPos == nil || *r.WeightFixPos != 5 || r.OpText() != "Conv+Relu" {
		t.Errorf("fused row: %+v", r)
	}
	if r := rows[2]; r.Cycles != 196 || r.WeightFixPos != nil || r.OpText() != "MaxPool" {
		t.Errorf("pool row: %+v", r)
	}
}

// The Inspector gets an input shape only for a model whose channel or
// spatial dims are dynamic, sized from the form.
func TestInspectInputShape(t *testing.T) {
	for _, c := range []struct {
		shape []int64
		form  func(*Form)
		want  []int64
	}{
		{[]int64{-1, 3, 48, 192}, func(*Form) {}, nil},
		{[]int64{-1, 3, -1, -1}, func(f *Form) { f.InputSize = "32x100" }, []int64{1, 3, 32, 100}},
		{[]int64{1, -1, -1, 1}, func(f *Form) { f.InputSize = "76x32"; f.Layout = "nhwc"; f.ChannelOrder = OrderGray }, []int64{1, 76, 32, 1}},
		{nil, func(*Form) {}, nil},
	} {
		r := &Root{Form: DefaultForm(), modelShape: c.shape}
		c.form(&r.Form)
		if got := r.inputShape(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: %v, want %v", c.shape, got, c.want)
		}
	}
}
