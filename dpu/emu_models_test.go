package dpu

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fixq/core/dataset"
	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
	"fixq/internal/testassets"
)

// Bit-exactness on real models: the emulator (integer kernels, compiled
// from the QDQ export and from the in-memory result) against the
// quantizer's simulation (quant.Simulator, the contract in core/quant
// doc.go). Every int8 tensor the emulator produces is compared with the
// simulation's value of the same name; the simulation's values are read
// by declaring every quantization point a graph output of a copy of the
// prepared model, which changes nothing in the simulator's arithmetic.

// simPoints runs the simulation and returns every quantized activation
// (and input) as int8 with its fix_pos.
func simPoints(t *testing.T, res *quant.Result, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	pm := *res.Prepared
	g := *pm.Graph
	g.Outputs = append([]graph.ValueInfo(nil), g.Outputs...)
	fps := map[string]int{}
	have := map[string]bool{}
	for _, o := range g.Outputs {
		have[o.Name] = true
	}
	isInput := map[string]bool{}
	for _, vi := range g.Inputs {
		isInput[vi.Name] = true
	}
	for _, pt := range res.Plan.Points {
		if pt.Kind == quant.KindWeight || pt.Kind == quant.KindBias || pt.Kind == quant.KindConst {
			continue
		}
		root := pt
		for root.Inherit != "" {
			root = res.Plan.Point(root.Inherit)
		}
		fps[pt.Tensor] = root.FixPos
		if !have[pt.Tensor] && !isInput[pt.Tensor] {
			g.Outputs = append(g.Outputs, graph.ValueInfo{Name: pt.Tensor, DType: tensor.Float32})
			have[pt.Tensor] = true
		}
	}
	pm.Graph = &g
	r2 := *res
	r2.Prepared = &pm
	sim, err := r2.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sim.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	q := map[string]*tensor.Tensor{}
	for name, fp := range fps {
		f := out[name]
		if isInput[name] {
			// The simulator quantizes inputs before the graph runs.
			f = in[name]
			qt := &tensor.Tensor{DType: tensor.Int8, Shape: f.Shape, I8: make([]int8, len(f.F32))}
			for i, x := range f.F32 {
				qt.I8[i] = quant.QuantizeValue(float64(x), fp, quant.RoundDPU)
			}
			q[name] = qt
			continue
		}
		if f == nil || f.DType != tensor.Float32 {
			t.Fatalf("simulation did not return point %q", name)
		}
		qt := &tensor.Tensor{DType: tensor.Int8, Shape: f.Shape, I8: make([]int8, len(f.F32))}
		for i, x := range f.F32 {
			v := math.Ldexp(float64(x), fp)
			if v != math.Trunc(v) || v < -128 || v > 127 {
				t.Fatalf("simulation value %q[%d] = %g is not on the int8 grid of fix_pos %d", name, i, x, fp)
			}
			qt.I8[i] = int8(v)
		}
		q[name] = qt
	}
	return q
}

// exactness compares every int8 value of the program's last run with the
// simulation and returns (tensors compared, elements compared, tensors
// with mismatches), logging the first few mismatching tensors.
func exactness(t *testing.T, label string, p *Program, sim map[string]*tensor.Tensor) (tensors, elems, bad int) {
	t.Helper()
	seen := map[string]bool{}
	p.Values(func(name string, q *tensor.Tensor, fp int) {
		s := sim[name]
		if s == nil {
			t.Errorf("%s: emulator value %q has no simulation point", label, name)
			bad++
			return
		}
		seen[name] = true
		tensors++
		if len(s.I8) != len(q.I8) {
			t.Errorf("%s: %q has %d elements, simulation %d", label, name, len(q.I8), len(s.I8))
			bad++
			return
		}
		diff, first, maxd := 0, -1, 0
		for i := range q.I8 {
			elems++
			if q.I8[i] != s.I8[i] {
				diff++
				if first < 0 {
					first = i
				}
				maxd = max(maxd, abs(int(q.I8[i])-int(s.I8[i])))
			}
		}
		if diff > 0 {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %q (fix_pos %d): %d of %d elements differ (max |d| %d), first at %d: emulator %d, simulation %d",
					label, name, fp, diff, len(q.I8), maxd, first, q.I8[first], s.I8[first])
			}
		}
	})
	for name := range sim {
		if !seen[name] {
			t.Errorf("%s: simulation point %q was not produced by the emulator", label, name)
		}
	}
	return
}

func abs(x int) int { return max(x, -x) }

// checkBitExact compiles res both ways, runs both programs and the
// simulation on in, and requires zero mismatches.
func checkBitExact(t *testing.T, res *quant.Result, in map[string]*tensor.Tensor) {
	t.Helper()
	ctx := context.Background()
	sim := simPoints(t, res, in)
	pr, err := CompileResult(res.Prepared, res.Plan)
	if err != nil {
		t.Fatal(err)
	}
	// the QDQ path goes through bytes, as the CLI reads it
	b, err := onnx.EncodeBytes(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	qm, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	pq, err := Compile(qm)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		label string
		p     *Program
	}{{"result", pr}, {"qdq", pq}} {
		t0 := time.Now()
		if _, err := c.p.Run(ctx, in); err != nil {
			t.Fatalf("%s: %v", c.label, err)
		}
		el := time.Since(t0)
		ten, el8, bad := exactness(t, c.label, c.p, sim)
		kinds := map[string]int{}
		for _, s := range c.p.Steps() {
			kinds[s.Kernel]++
		}
		t.Logf("%s: %d int8 tensors (%d values) compared with the simulation, %d with mismatches; run %v; steps by kernel %v",
			c.label, ten, el8, bad, el.Round(time.Millisecond), kinds)
		if ten == 0 {
			t.Errorf("%s: nothing compared", c.label)
		}
	}
}

func loadTestModel(t *testing.T, path string) *graph.Model {
	t.Helper()
	b, err := os.ReadFile(testassets.Require(t, path))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// quantizeFMNIST calibrates a trained Fashion-MNIST model on the first 100
// training images in batches of 10 (as core/quant's evidence tests do).
func quantizeFMNIST(t *testing.T, model string) (*quant.Result, *dataset.Images) {
	t.Helper()
	m := loadTestModel(t, filepath.Join("..", "testdata", "models", model))
	train, _ := fmnist.Load(t, "train")
	in := m.Graph.Inputs[0].Name
	norm := dataset.Norm{Mean: 0.5, Std: 0.5}
	var cal []map[string]*tensor.Tensor
	for b := 0; b < 10; b++ {
		x, err := train.BatchTensor(nil, b*10, 10, norm)
		if err != nil {
			t.Fatal(err)
		}
		cal = append(cal, map[string]*tensor.Tensor{in: x})
	}
	res, err := quant.Quantize(context.Background(), m, &quant.SliceSource{Batches: cal}, quant.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	test, _ := fmnist.Load(t, "t10k")
	return res, test
}

func testFMNIST(t *testing.T, model string) {
	res, test := quantizeFMNIST(t, model)
	n := 200
	if testing.Short() {
		n = 50
	}
	x, err := test.BatchTensor(nil, 0, n, dataset.Norm{Mean: 0.5, Std: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	checkBitExact(t, res, map[string]*tensor.Tensor{res.Model.Graph.Inputs[0].Name: x})
}

func TestEmuBitExactCNNFashionMNIST(t *testing.T)  { testFMNIST(t, "cnn_fmnist.onnx") }
func TestEmuBitExactMBV2FashionMNIST(t *testing.T) { testFMNIST(t, "mbv2_fmnist.onnx") }

// ocrInput is a synthetic image (uniform random pixels) with PaddleOCR's
// preprocessing (x/255 - 0.5)/0.5.
func ocrInput(r *rand.Rand, n, h, w int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, n, 3, h, w)
	for i := range t.F32 {
		t.F32[i] = (float32(r.Intn(256))/255 - 0.5) / 0.5
	}
	return t
}

func testPaddle(t *testing.T, path string, h, w, calBatches, batch int) {
	if testing.Short() {
		t.Skip("slow: real model")
	}
	m := loadTestModel(t, path)
	in := m.Graph.Inputs[0].Name
	r := rand.New(rand.NewSource(7))
	var cal []map[string]*tensor.Tensor
	for i := 0; i < calBatches; i++ {
		cal = append(cal, map[string]*tensor.Tensor{in: ocrInput(r, batch, h, w)})
	}
	t0 := time.Now()
	res, err := quant.Quantize(context.Background(), m, &quant.SliceSource{Batches: cal}, quant.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("quantized in %v", time.Since(t0).Round(time.Millisecond))
	checkBitExact(t, res, map[string]*tensor.Tensor{in: ocrInput(r, batch, h, w)})

	// the Inspector's assignment of the compiled graph
	b, err := onnx.EncodeBytes(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	qm, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(qm)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Inspect(nil, map[string][]int{in: {1, 3, h, w}})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	disagree := map[string]int{}
	for _, s := range p.Steps() {
		if s.Device == "" {
			t.Errorf("step %s (%s) has no device", s.Node, s.OpType)
		}
		float := s.Kernel == "float"
		count[string(s.Device)+"/"+map[bool]string{true: "float", false: "int8"}[float]]++
		if float == (s.Device == DeviceDPU) {
			disagree[string(s.Device)+" "+s.OpType+" "+s.Kernel]++
		}
	}
	// The quantizer's plan and the Inspector decide independently; where
	// they differ the arithmetic follows the plan (package doc).
	t.Logf("Inspector: %d DPU / %d CPU subgraphs; steps by device/arithmetic %v; Inspector vs plan differences %v",
		rep.Summary.DPUSubgraphs, rep.Summary.CPUSubgraphs, count, disagree)
}

func TestEmuBitExactPaddleCls(t *testing.T) {
	testPaddle(t, testassets.PaddleCls(t), 48, 192, 4, 2)
}

func TestEmuBitExactPaddleDet(t *testing.T) {
	testPaddle(t, testassets.PaddleDet(t), 160, 160, 2, 1)
}
