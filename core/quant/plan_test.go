package quant

import (
	"math/rand"
	"strings"
	"testing"

	"fixq/core/tensor"
)

// residualNet: x -> Conv -> Relu -> MaxPool -> Conv -> Add(+pool) -> Relu
// -> GlobalAveragePool -> Flatten -> Gemm -> Softmax.
func residualNet(r *rand.Rand) *mb {
	b := newModel(13, fin("x", 1, 2, 8, 8))
	b.randInit(r, "w1", 0.5, 4, 2, 3, 3)
	b.randInit(r, "b1", 0.1, 4)
	b.randInit(r, "w2", 0.5, 4, 4, 3, 3)
	b.randInit(r, "b2", 0.1, 4)
	b.randInit(r, "wf", 0.5, 3, 4)
	b.randInit(r, "bf", 0.1, 3)
	b.node("conv1", "Conv", []string{"x", "w1", "b1"}, []string{"c1"}, ints("pads", 1, 1, 1, 1))
	b.node("relu1", "Relu", []string{"c1"}, []string{"r1"})
	b.node("pool1", "MaxPool", []string{"r1"}, []string{"p1"}, ints("kernel_shape", 2, 2), ints("strides", 2, 2))
	b.node("conv2", "Conv", []string{"p1", "w2", "b2"}, []string{"c2"}, ints("pads", 1, 1, 1, 1))
	b.node("add", "Add", []string{"c2", "p1"}, []string{"a"})
	b.node("relu2", "Relu", []string{"a"}, []string{"r2"})
	b.node("gap", "GlobalAveragePool", []string{"r2"}, []string{"g"})
	b.node("flat", "Flatten", []string{"g"}, []string{"f"})
	b.node("fc", "Gemm", []string{"f", "wf", "bf"}, []string{"logits"}, aint("transB", 1))
	b.node("sm", "Softmax", []string{"logits"}, []string{"prob"}, aint("axis", -1))
	return b
}

func residualMeta() map[string]TensorMeta {
	f := func(s ...int) TensorMeta { return TensorMeta{DType: tensor.Float32, Shape: s} }
	return map[string]TensorMeta{"x": f(1, 2, 8, 8), "c1": f(1, 4, 8, 8), "r1": f(1, 4, 8, 8), "p1": f(1, 4, 4, 4),
		"c2": f(1, 4, 4, 4), "a": f(1, 4, 4, 4), "r2": f(1, 4, 4, 4), "g": f(1, 4, 1, 1), "f": f(1, 4),
		"logits": f(1, 3), "prob": f(1, 3)}
}

func TestPlanResidualNet(t *testing.T) {
	m := residualNet(rand.New(rand.NewSource(1))).outputs("prob")
	p, err := buildPlan(m, &Config{}, residualMeta())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // tensor -> kind[/inherit]
		"x": "input", "w1": "weight", "b1": "bias", "r1": "activation", "p1": "activation/r1",
		"w2": "weight", "b2": "bias", "c2": "activation", "r2": "activation", "g": "activation",
		"f": "activation/g", "wf": "weight", "bf": "bias", "logits": "activation",
	}
	got := map[string]string{}
	for _, pt := range p.Points {
		s := pt.Kind.String()
		if pt.Inherit != "" {
			s += "/" + pt.Inherit
		}
		got[pt.Tensor] = s
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("point %q: got %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected point %q (%s)", k, got[k])
		}
	}
	// Soft fusion (§2.1): conv1 -> relu1 and add -> relu2; c1 and a are not
	// quantized; conv2 feeds an Add, so c2 is.
	if p.NodePlan("conv1").FusedInto != "relu1" || p.NodePlan("add").FusedInto != "relu2" || p.NodePlan("conv2").FusedInto != "" {
		t.Error("fusion: want conv1->relu1, add->relu2, conv2 unfused")
	}
	if o := p.NodePlan("conv1").Output; o != "r1" {
		t.Errorf("conv1 output point %q, want r1", o)
	}
	if p.NodePlan("sm").OnDPU() {
		t.Error("Softmax must stay on the CPU side")
	}
	if gp := p.NodePlan("gap"); gp.Approx != ApproxAvgPool || gp.AvgRec != 16 || gp.AvgN != 1 || gp.AvgM != 4 {
		t.Errorf("gap approx %+v, want 4x4 = 1/2^4", gp)
	}
	for _, pt := range p.Points {
		wantRound := RoundDPU
		if pt.Kind == KindWeight || pt.Kind == KindBias {
			wantRound = RoundStd
		}
		if pt.Round != wantRound {
			t.Errorf("%s: round %v, want %v", pt.Tensor, pt.Round, wantRound)
		}
		if pt.Kind == KindInput && pt.Method != MethodMaxMin {
			t.Errorf("input method %s, want maxmin", pt.Method)
		}
	}
}

func TestPlanCPUFallbacks(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	b := newModel(13, fin("x", 1, 2, 4, 4))
	b.randInit(r, "w1", 0.5, 2, 2, 1, 1)
	b.randInit(r, "w2", 0.5, 2, 2, 1, 1)
	b.node("conv1", "Conv", []string{"x", "w1"}, []string{"c1"})
	b.node("leaky", "LeakyRelu", []string{"c1"}, []string{"l"}, aflt("alpha", 0.2))
	b.node("conv2", "Conv", []string{"l", "w2"}, []string{"c2"})
	b.node("sig", "Sigmoid", []string{"c2"}, []string{"s"})
	b.node("mul", "Mul", []string{"c2", "s"}, []string{"y"})
	b.node("shape", "Shape", []string{"y"}, []string{"shp"})
	b.node("cat", "Concat", []string{"shp", "shp"}, []string{"shp2"}, aint("axis", 0))
	m := b.outputs("y", "shp2")
	meta := map[string]TensorMeta{"shp": {DType: tensor.Int64}, "shp2": {DType: tensor.Int64}}
	p, err := buildPlan(m, &Config{Float: []string{"conv2"}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if p.NodePlan("leaky").OnDPU() || p.NodePlan("conv1").FusedInto != "" {
		t.Error("LeakyRelu alpha 0.2 must stay on the CPU and not fuse (§3.1)")
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], `"leaky"`) {
		t.Errorf("warnings %q, want one naming leaky", p.Warnings)
	}
	if p.Point("c1") == nil || p.Point("l") != nil {
		t.Error("c1 (DPU conv output) is quantized, l (CPU output) is not")
	}
	// conv2 kept float by config: its weights are not quantized; its output
	// and the sigmoid's enter the DPU Mul and are quantized there.
	if p.NodePlan("conv2").OnDPU() || p.Point("w2") != nil {
		t.Error("conv2 is in the float list")
	}
	if !strings.Contains(p.NodePlan("conv2").Reason, "float") {
		t.Errorf("conv2 reason %q", p.NodePlan("conv2").Reason)
	}
	for _, v := range []string{"c2", "s", "y"} {
		if pt := p.Point(v); pt == nil || pt.Kind != KindActivation {
			t.Errorf("%s: want an activation point", v)
		}
	}
	if p.Point("shp") != nil || p.Point("shp2") != nil || p.NodePlan("cat").OnDPU() {
		t.Error("int64 shape values are never quantized")
	}
}

func TestPlanPassThroughOfFloat(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	b := newModel(13, fin("x", 1, 6))
	b.randInit(r, "w", 0.5, 6, 6)
	b.init("shape", tensor.FromInt64([]int64{1, 2, 3}, 3))
	b.node("fc", "MatMul", []string{"x", "w"}, []string{"h"})
	b.node("sm", "Softmax", []string{"h"}, []string{"s"})
	b.node("rs", "Reshape", []string{"s", "shape"}, []string{"y"})
	m := b.outputs("y")
	p, err := buildPlan(m, &Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Reshape of float softmax output stays float: the probabilities are
	// not quantized on their way out.
	if p.NodePlan("rs").OnDPU() || p.Point("y") != nil || p.Point("shape") != nil {
		t.Error("Reshape of a float value must stay float")
	}
	if p.Point("h") == nil || p.Point("w") == nil || p.Point("x").Kind != KindInput {
		t.Error("MatMul with constant B is conv-like")
	}
}
