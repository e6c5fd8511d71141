package train

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// mb builds small test models.
type mb struct{ m *graph.Model }

func newModel(opset int64, inputs ...string) *mb {
	m := &graph.Model{IRVersion: 8, Opsets: map[string]int64{"": opset}, Graph: &graph.Graph{Name: "t"}}
	for _, in := range inputs {
		m.Graph.Inputs = append(m.Graph.Inputs, graph.ValueInfo{Name: in, DType: tensor.Float32})
	}
	return &mb{m: m}
}

func (b *mb) node(name, op string, in, out []string, attrs ...*graph.Attr) *mb {
	n := &graph.Node{Name: name, OpType: op, Inputs: in, Outputs: out}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	b.m.Graph.Nodes = append(b.m.Graph.Nodes, n)
	return b
}

func (b *mb) init(name string, t *tensor.Tensor) *mb { b.m.Graph.SetInitializer(name, t); return b }

func (b *mb) out(names ...string) *graph.Model {
	for _, n := range names {
		b.m.Graph.Outputs = append(b.m.Graph.Outputs, graph.ValueInfo{Name: n, DType: tensor.Float32})
	}
	return b.m
}

func ints(name string, v ...int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInts, Ints: v}
}
func aint(name string, v int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInt, I: v}
}
func aflt(name string, v float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloat, F: v}
}

// randT is a tensor of uniform values in [-scale, scale].
func randT(r *rand.Rand, scale float64, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = float32((2*r.Float64() - 1) * scale)
	}
	return t
}

// awayFrom is randT with every value at least gap away from each kink.
func awayFrom(r *rand.Rand, scale, gap float64, kinks []float64, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
	again:
		v := (2*r.Float64() - 1) * scale
		for _, k := range kinks {
			if math.Abs(v-k) < gap {
				goto again
			}
		}
		t.F32[i] = float32(v)
	}
	return t
}

// gradCheck compares the Net's gradients of L = Σ r·y (y: the model's
// first output, r fixed random weights) with respect to every trainable
// parameter and every input against central finite differences of the
// forward pass (core/ops kernels), on up to `samples` elements of each
// tensor. Tolerance: |analytic − numeric| <= tol·max(1, |numeric|).
func gradCheck(t *testing.T, m *graph.Model, inputs map[string]*tensor.Tensor, trainable []string, h, tol float64) {
	t.Helper()
	ctx := context.Background()
	tr := map[string]bool{}
	for _, n := range trainable {
		tr[n] = true
	}
	net, err := NewNet(m, nil, Options{Trainable: func(n string) bool { return tr[n] }, InputGrads: true})
	if err != nil {
		t.Fatal(err)
	}
	out := m.Graph.Outputs[0].Name
	if err := net.Forward(ctx, inputs, -1); err != nil {
		t.Fatal(err)
	}
	y := net.Value(out)
	rng := rand.New(rand.NewPCG(7, 7))
	weights := make([]float64, len(y.F32))
	for i := range weights {
		weights[i] = 2*rng.Float64() - 1
	}
	loss := func() float64 {
		if err := net.Forward(ctx, inputs, -1); err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, v := range net.Value(out).F32 {
			s += weights[i] * float64(v)
		}
		return s
	}
	loss()
	seed, err := net.SeedGrad(out)
	if err != nil {
		t.Fatal(err)
	}
	for i := range seed {
		seed[i] = float32(weights[i])
	}
	if err := net.Backward(ctx); err != nil {
		t.Fatal(err)
	}
	type target struct {
		name string
		vals []float32
		grad []float32
		sync bool
	}
	var targets []target
	for _, p := range net.Params() {
		targets = append(targets, target{p.Name, p.W, append([]float32(nil), p.G...), true})
	}
	for name, x := range inputs {
		targets = append(targets, target{name, x.F32, append([]float32(nil), net.InputGrad(name)...), false})
	}
	if len(targets) != len(trainable)+len(inputs) {
		t.Fatalf("%d gradient targets, want %d", len(targets), len(trainable)+len(inputs))
	}
	const samples = 24
	checked := 0
	for _, tg := range targets {
		if len(tg.grad) != len(tg.vals) {
			t.Fatalf("%s: gradient has %d values, want %d", tg.name, len(tg.grad), len(tg.vals))
		}
		idx := rng.Perm(len(tg.vals))
		if len(idx) > samples {
			idx = idx[:samples]
		}
		for _, i := range idx {
			orig := tg.vals[i]
			tg.vals[i] = orig + float32(h)
			if tg.sync {
				net.Sync()
			}
			lp := loss()
			tg.vals[i] = orig - float32(h)
			if tg.sync {
				net.Sync()
			}
			lm := loss()
			tg.vals[i] = orig
			if tg.sync {
				net.Sync()
			}
			num := (lp - lm) / (2 * h)
			if d := math.Abs(float64(tg.grad[i]) - num); d > tol*math.Max(1, math.Abs(num)) {
				t.Errorf("%s[%d]: analytic %.6g, finite differences %.6g", tg.name, i, tg.grad[i], num)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

type graphAttrString struct{ name, v string }

func (a *graphAttrString) attr() *graph.Attr {
	return &graph.Attr{Name: a.name, Type: graph.AttrString, S: a.v}
}

type graphAttrAny struct{ a *graph.Attr }

type mbNode struct {
	name, op string
	attrs    []*graph.Attr
}

type tensorT = tensor.Tensor

func tensorOf(v []float32, shape ...int) *tensor.Tensor { return tensor.FromFloat32(v, shape...) }
