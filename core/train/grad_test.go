package train

import (
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// Every backward pass against central finite differences of the core/ops
// forward kernels. Inputs of piecewise-linear ops keep a gap around their
// kinks larger than the step h, so the differences see one linear piece.

const (
	fdStep = 1e-2 // float32 forward: a larger step keeps rounding noise small
	fdTol  = 2e-3
)

func TestGradConv(t *testing.T) {
	cases := []struct {
		name                string
		c, m, group, h, w   int
		k                   [2]int
		attrs               func() *mb
		strides, pads, dils []int64
	}{
		{name: "3x3 pad1", c: 3, m: 4, group: 1, h: 6, w: 7, k: [2]int{3, 3}, strides: []int64{1, 1}, pads: []int64{1, 1, 1, 1}, dils: []int64{1, 1}},
		{name: "stride2 asym pads", c: 2, m: 3, group: 1, h: 7, w: 6, k: [2]int{3, 2}, strides: []int64{2, 2}, pads: []int64{1, 0, 0, 1}, dils: []int64{1, 1}},
		{name: "dilated", c: 2, m: 2, group: 1, h: 7, w: 7, k: [2]int{3, 3}, strides: []int64{1, 2}, pads: []int64{2, 2, 2, 2}, dils: []int64{2, 2}},
		{name: "groups", c: 4, m: 6, group: 2, h: 5, w: 5, k: [2]int{3, 3}, strides: []int64{1, 1}, pads: []int64{1, 1, 1, 1}, dils: []int64{1, 1}},
		{name: "depthwise s2", c: 3, m: 3, group: 3, h: 7, w: 8, k: [2]int{3, 3}, strides: []int64{2, 2}, pads: []int64{1, 1, 1, 1}, dils: []int64{1, 1}},
		{name: "depthwise x2 s(2,1)", c: 2, m: 4, group: 2, h: 6, w: 5, k: [2]int{5, 5}, strides: []int64{2, 1}, pads: []int64{2, 2, 2, 2}, dils: []int64{1, 1}},
		{name: "depthwise dilated asym pads", c: 2, m: 2, group: 2, h: 8, w: 7, k: [2]int{3, 3}, strides: []int64{2, 2}, pads: []int64{2, 1, 0, 2}, dils: []int64{2, 1}},
		{name: "depthwise 1 output row", c: 2, m: 2, group: 2, h: 3, w: 9, k: [2]int{3, 3}, strides: []int64{1, 2}, pads: []int64{0, 1, 0, 1}, dils: []int64{1, 1}},
		{name: "pointwise", c: 5, m: 3, group: 1, h: 4, w: 4, k: [2]int{1, 1}, strides: []int64{1, 1}, pads: []int64{0, 0, 0, 0}, dils: []int64{1, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			m := newModel(13, "x").
				init("w", randT(r, 0.5, tc.m, tc.c/tc.group, tc.k[0], tc.k[1])).
				init("b", randT(r, 0.5, tc.m)).
				node("conv", "Conv", []string{"x", "w", "b"}, []string{"y"},
					aint("group", int64(tc.group)), ints("strides", tc.strides...), ints("pads", tc.pads...), ints("dilations", tc.dils...)).
				out("y")
			in := map[string]*tensor.Tensor{"x": randT(r, 1, 2, tc.c, tc.h, tc.w)}
			gradCheck(t, m, in, []string{"w", "b"}, fdStep, fdTol)
		})
	}
}

func TestGradConvBanded(t *testing.T) {
	old := colBudget
	colBudget = 40 // a band of one output row
	defer func() { colBudget = old }()
	r := rand.New(rand.NewPCG(3, 4))
	m := newModel(13, "x").
		init("w", randT(r, 0.5, 3, 2, 3, 3)).
		node("conv", "Conv", []string{"x", "w"}, []string{"y"}, ints("pads", 1, 1, 1, 1), ints("strides", 2, 1)).
		out("y")
	gradCheck(t, m, map[string]*tensor.Tensor{"x": randT(r, 1, 2, 2, 7, 5)}, []string{"w"}, fdStep, fdTol)
}

func TestGradConvAutoPad(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m := newModel(13, "x").
		init("w", randT(r, 0.5, 2, 2, 3, 3)).
		node("conv", "Conv", []string{"x", "w"}, []string{"y"}, (&graphAttrString{"auto_pad", "SAME_LOWER"}).attr(), ints("strides", 2, 2)).
		out("y")
	gradCheck(t, m, map[string]*tensor.Tensor{"x": randT(r, 1, 1, 2, 6, 5)}, []string{"w"}, fdStep, fdTol)
}

func TestGradGemm(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ta, tb     int64
		alpha, bet float32
		cshape     []int
	}{
		{"plain", 0, 0, 1, 1, []int{5}},
		{"transB", 0, 1, 1, 1, []int{1, 5}},
		{"transA", 1, 0, 0.5, 2, []int{3, 1}},
		{"both", 1, 1, 1.5, 0.5, []int{3, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(8, 9))
			ashape, bshape := []int{3, 4}, []int{4, 5}
			if tc.ta == 1 {
				ashape = []int{4, 3}
			}
			if tc.tb == 1 {
				bshape = []int{5, 4}
			}
			m := newModel(13, "a").
				init("b", randT(r, 1, bshape...)).
				init("c", randT(r, 1, tc.cshape...)).
				node("gemm", "Gemm", []string{"a", "b", "c"}, []string{"y"},
					aint("transA", tc.ta), aint("transB", tc.tb), aflt("alpha", tc.alpha), aflt("beta", tc.bet)).
				out("y")
			gradCheck(t, m, map[string]*tensor.Tensor{"a": randT(r, 1, ashape...)}, []string{"b", "c"}, fdStep, fdTol)
		})
	}
}

func TestGradMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	m := newModel(13, "a").
		init("b", randT(r, 1, 4, 3)).
		node("mm", "MatMul", []string{"a", "b"}, []string{"y"}).
		out("y")
	gradCheck(t, m, map[string]*tensor.Tensor{"a": randT(r, 1, 2, 5, 4)}, []string{"b"}, fdStep, fdTol)
}

func TestGradActivations(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	const gap = 0.05 // > fdStep
	cases := []struct {
		name  string
		build func(*mb) *mb
		kinks []float64
	}{
		{"Relu", func(b *mb) *mb { return b.node("n", "Relu", []string{"x"}, []string{"y"}) }, []float64{0}},
		{"Clip relu6", func(b *mb) *mb {
			return b.init("lo", tensor.FromFloat32([]float32{0})).init("hi", tensor.FromFloat32([]float32{6})).
				node("n", "Clip", []string{"x", "lo", "hi"}, []string{"y"})
		}, []float64{0, 6}},
		{"LeakyRelu", func(b *mb) *mb { return b.node("n", "LeakyRelu", []string{"x"}, []string{"y"}, aflt("alpha", 0.1)) }, []float64{0}},
		{"HardSigmoid", func(b *mb) *mb {
			return b.node("n", "HardSigmoid", []string{"x"}, []string{"y"}, aflt("alpha", 0.2), aflt("beta", 0.5))
		}, []float64{-2.5, 2.5}},
		{"HardSwish", func(b *mb) *mb { return b.node("n", "HardSwish", []string{"x"}, []string{"y"}) }, []float64{-3, 3}},
		{"Sigmoid", func(b *mb) *mb { return b.node("n", "Sigmoid", []string{"x"}, []string{"y"}) }, nil},
		{"Softmax axis1", func(b *mb) *mb { return b.node("n", "Softmax", []string{"x"}, []string{"y"}, aint("axis", 1)) }, nil},
		{"Flatten", func(b *mb) *mb { return b.node("n", "Flatten", []string{"x"}, []string{"y"}) }, nil},
		{"Reshape", func(b *mb) *mb {
			return b.init("s", tensor.FromInt64([]int64{3, -1}, 2)).node("n", "Reshape", []string{"x", "s"}, []string{"y"})
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.build(newModel(13, "x")).out("y")
			in := map[string]*tensor.Tensor{"x": awayFrom(r, 5, gap, tc.kinks, 3, 4, 2, 3)}
			gradCheck(t, m, in, nil, 1e-2, fdTol)
		})
	}
}

func TestGradClipOpset9(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	m := newModel(9, "x").node("n", "Clip", []string{"x"}, []string{"y"}, aflt("min", -1), aflt("max", 2)).out("y")
	gradCheck(t, m, map[string]*tensor.Tensor{"x": awayFrom(r, 3, 0.05, []float64{-1, 2}, 2, 3, 4)}, nil, fdStep, fdTol)
}

func TestGradBinaryBroadcast(t *testing.T) {
	for _, op := range []string{"Add", "Sub", "Mul", "Div"} {
		t.Run(op, func(t *testing.T) {
			r := rand.New(rand.NewPCG(16, 17))
			m := newModel(13, "a", "b").node("n", op, []string{"a", "b"}, []string{"y"}).out("y")
			b := awayFrom(r, 2, 0.5, []float64{0}, 2, 3, 1, 1) // SE-style scale; away from 0 for Div
			gradCheck(t, m, map[string]*tensor.Tensor{"a": randT(r, 1, 2, 3, 4, 5), "b": b}, nil, fdStep, fdTol)
		})
	}
	t.Run("row vector const", func(t *testing.T) {
		r := rand.New(rand.NewPCG(18, 19))
		m := newModel(13, "a").init("c", randT(r, 1, 5)).node("n", "Mul", []string{"a", "c"}, []string{"y"}).out("y")
		gradCheck(t, m, map[string]*tensor.Tensor{"a": randT(r, 1, 3, 4, 5)}, []string{"c"}, fdStep, fdTol)
	})
}

func TestGradPools(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 21))
	cases := []struct {
		name string
		op   string
		at   []*graphAttrAny
	}{
		{"MaxPool 2x2", "MaxPool", []*graphAttrAny{{ints("kernel_shape", 2, 2)}, {ints("strides", 2, 2)}}},
		{"MaxPool 3x3 pad ceil", "MaxPool", []*graphAttrAny{{ints("kernel_shape", 3, 3)}, {ints("strides", 2, 2)}, {ints("pads", 1, 1, 1, 1)}, {aint("ceil_mode", 1)}}},
		{"AveragePool 3x3 pad", "AveragePool", []*graphAttrAny{{ints("kernel_shape", 3, 3)}, {ints("strides", 2, 1)}, {ints("pads", 1, 1, 1, 1)}}},
		{"AveragePool count_include_pad", "AveragePool", []*graphAttrAny{{ints("kernel_shape", 3, 2)}, {ints("pads", 1, 0, 1, 1)}, {aint("count_include_pad", 1)}}},
		{"AveragePool ceil", "AveragePool", []*graphAttrAny{{ints("kernel_shape", 2, 2)}, {ints("strides", 2, 2)}, {aint("ceil_mode", 1)}}},
		{"GlobalAveragePool", "GlobalAveragePool", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newModel(13, "x")
			n := &mbNode{name: "p", op: tc.op}
			for _, a := range tc.at {
				n.attrs = append(n.attrs, a.a)
			}
			m := b.node(n.name, n.op, []string{"x"}, []string{"y"}, n.attrs...).out("y")
			// Distinct values so each window's maximum is unique.
			x := tensor.MustNew(tensor.Float32, 2, 3, 7, 6)
			perm := r.Perm(len(x.F32))
			for i, p := range perm {
				x.F32[i] = float32(p) * 0.1
			}
			gradCheck(t, m, map[string]*tensor.Tensor{"x": x}, nil, fdStep, fdTol)
		})
	}
}

func TestGradConcat(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 23))
	m := newModel(13, "a", "b").node("n", "Concat", []string{"a", "b"}, []string{"y"}, aint("axis", 1)).out("y")
	gradCheck(t, m, map[string]*tensor.Tensor{"a": randT(r, 1, 2, 3, 2, 2), "b": randT(r, 1, 2, 1, 2, 2)}, nil, fdStep, fdTol)
}

// A MobileNetV2-style block end to end: pointwise expand + ReLU6,
// depthwise stride 1 + ReLU6, pointwise project, residual Add, then
// GlobalAveragePool, Flatten, Gemm. The checked loss is smooth almost
// everywhere; the tolerance allows for an occasional kink in a ReLU6.
func TestGradBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(24, 25))
	m := newModel(13, "x").
		init("w1", randT(r, 0.5, 8, 4, 1, 1)).init("b1", randT(r, 0.2, 8)).
		init("w2", randT(r, 0.5, 8, 1, 3, 3)).init("b2", randT(r, 0.2, 8)).
		init("w3", randT(r, 0.5, 4, 8, 1, 1)).init("b3", randT(r, 0.2, 4)).
		init("fc", randT(r, 0.5, 3, 4)).init("fb", randT(r, 0.2, 3)).
		init("lo", tensor.FromFloat32([]float32{0})).init("hi", tensor.FromFloat32([]float32{6})).
		node("c1", "Conv", []string{"x", "w1", "b1"}, []string{"c1"}).
		node("r1", "Clip", []string{"c1", "lo", "hi"}, []string{"r1"}).
		node("c2", "Conv", []string{"r1", "w2", "b2"}, []string{"c2"}, aint("group", 8), ints("pads", 1, 1, 1, 1)).
		node("r2", "Clip", []string{"c2", "lo", "hi"}, []string{"r2"}).
		node("c3", "Conv", []string{"r2", "w3", "b3"}, []string{"c3"}).
		node("add", "Add", []string{"x", "c3"}, []string{"s"}).
		node("gap", "GlobalAveragePool", []string{"s"}, []string{"g"}).
		node("fl", "Flatten", []string{"g"}, []string{"f"}).
		node("fc", "Gemm", []string{"f", "fc", "fb"}, []string{"y"}, aint("transB", 1)).
		out("y")
	gradCheck(t, m, map[string]*tensor.Tensor{"x": randT(r, 1, 2, 4, 5, 5)},
		[]string{"w1", "b1", "w2", "b2", "w3", "b3", "fc", "fb"}, 1e-3, 2e-2)
}
