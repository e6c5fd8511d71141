package quant

import (
	"bytes"
	"context"
	"math"
	"math/rand"
	"testing"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/tensor"
)

// mixedNet exercises every approximation: Conv+Relu, HardSwish,
// AveragePool 3x3, Conv+LeakyRelu(0.1), Add+Relu, HardSigmoid, Concat,
// GlobalAveragePool, Flatten, Gemm (opset 14 for HardSwish).
func mixedNet(r *rand.Rand) *graph.Model {
	b := newModel(14, fin("x", -1, 3, 8, 8))
	b.m.Graph.Inputs[0].Shape[0] = graph.Dim{Value: -1, Param: "N"}
	b.randInit(r, "w1", 0.4, 8, 3, 3, 3)
	b.randInit(r, "b1", 0.2, 8)
	b.randInit(r, "w2", 0.3, 8, 8, 1, 1)
	b.randInit(r, "b2", 0.2, 8)
	b.randInit(r, "w3", 0.3, 8, 8, 3, 3)
	b.randInit(r, "wf", 0.5, 10, 16)
	b.randInit(r, "bf", 0.1, 10)
	b.node("conv1", "Conv", []string{"x", "w1", "b1"}, []string{"c1"}, ints("pads", 1, 1, 1, 1))
	b.node("relu1", "Relu", []string{"c1"}, []string{"r1"})
	b.node("conv2", "Conv", []string{"r1", "w2", "b2"}, []string{"c2"})
	b.node("hswish", "HardSwish", []string{"c2"}, []string{"h"})
	b.node("avg", "AveragePool", []string{"h"}, []string{"a"}, ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), aint("count_include_pad", 1))
	b.node("conv3", "Conv", []string{"a", "w3"}, []string{"c3"}, ints("pads", 1, 1, 1, 1))
	b.node("leaky", "LeakyRelu", []string{"c3"}, []string{"l"}, aflt("alpha", 0.1))
	b.node("add", "Add", []string{"l", "r1"}, []string{"s"})
	b.node("relu2", "Relu", []string{"s"}, []string{"r2"})
	b.node("hsig", "HardSigmoid", []string{"c2"}, []string{"g"}, aflt("alpha", 1.0/6), aflt("beta", 0.5))
	b.node("cat", "Concat", []string{"r2", "g"}, []string{"k"}, aint("axis", 1))
	b.node("gap", "GlobalAveragePool", []string{"k"}, []string{"p"})
	b.node("flat", "Flatten", []string{"p"}, []string{"f"})
	b.node("fc", "Gemm", []string{"f", "wf", "bf"}, []string{"logits"}, aint("transB", 1))
	return b.outputsVI(nvi("logits", 10))
}

// nvi is a float output [N, dims...] with a symbolic batch.
func nvi(name string, dims ...int64) graph.ValueInfo {
	vi := fin(name, append([]int64{-1}, dims...)...)
	vi.Shape[0].Param = "N"
	return vi
}

func batches(r *rand.Rand, n, size int, scale float32, shape ...int) []map[string]*tensor.Tensor {
	var out []map[string]*tensor.Tensor
	for i := 0; i < n; i++ {
		out = append(out, map[string]*tensor.Tensor{"x": randInput(r, scale, append([]int{size}, shape...)...)})
	}
	return out
}

// compareORT quantizes m, exports it, checks it with onnx.checker and runs
// it in onnxruntime-node against fixq's simulator on x.
// compareORT quantizes m, exports it, checks it with onnx.checker and runs
// it in onnxruntime-node against fixq's simulator on x; it returns the
// fraction of bit-identical int8 codes of output out.
func compareORT(t *testing.T, m *graph.Model, calib []map[string]*tensor.Tensor, x *tensor.Tensor, out string) (*Result, float64) {
	t.Helper()
	ctx := context.Background()
	res, err := Quantize(ctx, m, &SliceSource{Batches: calib}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, res.Model)
	onnxCheck(t, path)
	ort := runORT(t, path, map[string]*tensor.Tensor{"x": x})
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	got, err := sim.Run(ctx, map[string]*tensor.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	return res, identical(t, got[out], ort[out], res.Plan.Point(out).FixPos)
}

func identical(t *testing.T, y *tensor.Tensor, o ortOut, fp int) float64 {
	if len(o.Data) != len(y.F32) {
		t.Fatalf("onnxruntime gave %d values, fixq %d", len(o.Data), len(y.F32))
	}
	same, maxd := 0, 0.0
	for i, v := range y.F32 {
		d := math.Abs(float64(v)-o.Data[i]) * math.Ldexp(1, fp)
		maxd = max(maxd, d)
		if d == 0 {
			same++
		}
	}
	frac := float64(same) / float64(len(y.F32))
	t.Logf("%d/%d int8 outputs bit-identical with onnxruntime (%.1f%%), max diff %.0f LSB", same, len(y.F32), 100*frac, maxd)
	return frac
}

func TestQDQMatchesOnnxruntime(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	m := mixedNet(r)
	calib := batches(r, 4, 4, 2, 3, 8, 8)
	x := randInput(r, 2, 16, 3, 8, 8)
	res, frac := compareORT(t, m, calib, x, "logits")
	// onnxruntime rounds half to even; the export's tie-break (tiebreak.go)
	// makes it round like the DPU, so every logit code must match. (Without
	// it, 52% of these logits differed by up to 2 LSB: ties in the
	// hard-swish product are frequent on this net and propagate.) 1% slack
	// covers float32 rounding in onnxruntime's average pool and gain Mul,
	// which the exact simulator does not have.
	if frac < 0.99 {
		t.Errorf("only %.1f%% of logits identical", 100*frac)
	}
	// The approximations are in the exported graph.
	ops := map[string]int{}
	for _, n := range res.Model.Graph.Nodes {
		ops[n.OpType]++
		if n.OpType == "LeakyRelu" {
			if a, _ := n.AttrFloat("alpha", 0); a != 0.1015625 {
				t.Errorf("LeakyRelu alpha %v, want 0.1015625", a)
			}
		}
		if n.OpType == "HardSigmoid" {
			if a, _ := n.AttrFloat("alpha", 0); a != 2731.0/16384 {
				t.Errorf("HardSigmoid alpha %v", a)
			}
		}
	}
	if ops["HardSwish"] != 0 || ops["HardSigmoid"] != 2 || ops["Mul"] != 3 {
		t.Errorf("ops %v: want HardSwish decomposed (2 HardSigmoid, Muls for hswish + 2 pool gains)", ops)
	}
	if res.Model.Opset() != 14 {
		t.Errorf("opset %d, want 14 kept", res.Model.Opset())
	}
}

func TestQuantizeDeterministic(t *testing.T) {
	enc := func() [3][]byte {
		r := rand.New(rand.NewSource(12))
		m := mixedNet(r)
		res, err := Quantize(context.Background(), m, &SliceSource{Batches: batches(r, 3, 2, 2, 3, 8, 8)}, Config{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := onnx.EncodeBytes(res.Model)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := res.Info.JSON()
		c, _ := res.Report.JSON()
		return [3][]byte{a, b, c}
	}
	x, y := enc(), enc()
	for i, what := range []string{"model", "quant info", "report"} {
		if !bytes.Equal(x[i], y[i]) {
			t.Errorf("%s bytes differ between two identical runs", what)
		}
	}
}

// TestQDQOpset9 quantizes an opset-9 model with Clip attributes and a
// 2-D Softmax(axis=1): the export raises the opset to 13 and rewrites
// them into their opset-11/13 forms (checked by onnx.checker and run by
// onnxruntime).
func TestQDQOpset9(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	b := newModel(9, fin("x", 2, 2, 6, 6))
	b.m.IRVersion = 4
	b.randInit(r, "w1", 0.5, 4, 2, 3, 3)
	b.randInit(r, "b1", 0.1, 4)
	b.randInit(r, "wf", 0.5, 16, 5)
	b.init("shape", tensor.FromInt64([]int64{0, -1}, 2))
	b.node("conv", "Conv", []string{"x", "w1", "b1"}, []string{"c"})
	b.node("clip", "Clip", []string{"c"}, []string{"r"}, aflt("min", 0), aflt("max", 6))
	b.node("pool", "MaxPool", []string{"r"}, []string{"p"}, ints("kernel_shape", 2, 2), ints("strides", 2, 2))
	b.node("rs", "Reshape", []string{"p", "shape"}, []string{"f"})
	b.node("fc", "MatMul", []string{"f", "wf"}, []string{"logits"})
	b.node("sm", "Softmax", []string{"logits"}, []string{"prob"}, aint("axis", 1))
	b.node("clip2", "Clip", []string{"prob"}, []string{"prob2"}, aflt("min", 0.01))
	m := b.outputsVI(nvi("prob2", 5), nvi("logits", 5))
	x := randInput(r, 2, 2, 2, 6, 6)
	res, frac := compareORT(t, m, batches(r, 2, 2, 2, 2, 6, 6), x, "logits")
	if frac < 0.99 {
		t.Errorf("only %.1f%% identical", 100*frac)
	}
	if res.Model.Opset() != 13 {
		t.Errorf("opset %d, want 13", res.Model.Opset())
	}
	if res.Plan.NodePlan("conv").FusedInto != "clip" {
		t.Error("Conv + opset-9 Clip(0,6) must soft-fuse")
	}
	for _, n := range res.Model.Graph.Nodes {
		if n.OpType == "Clip" && (n.Has("min") || n.Has("max")) {
			t.Errorf("Clip %q keeps opset-9 attributes", n.Name)
		}
	}
}
