package dpu

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"fixq/core/graph"
	"fixq/core/quant"
	"fixq/core/tensor"
)

// Synthetic models that reach every emulator kernel, quantized with real
// calibration, then compared bit for bit with the simulation like the
// trained models (emu_models_test.go).

func (b *modelBuilder) randW(r *rand.Rand, name string, scale float32, shape ...int) string {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = (r.Float32()*2 - 1) * scale
	}
	return b.constF(name, data, shape...)
}

func randBatch(r *rand.Rand, lo, hi float32, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = lo + r.Float32()*(hi-lo)
	}
	return t
}

// zooModel has one node of every kind the emulator implements: convs with
// fused ReLU / ReLU6 / LeakyReLU, strided and depthwise and grouped convs,
// residual Add+ReLU, HardSwish, an SE block (GAP, HardSigmoid, broadcast
// Mul), ConvTranspose+ReLU, nearest Resize, Concat of different fix
// positions, AveragePool 3x3 with padding, MaxPool, ReduceMean, Gemm,
// standalone LeakyReLU, GlobalAveragePool, Flatten, MatMul, and CPU-side
// Sigmoid and Sub feeding the DPU again.
func zooModel(r *rand.Rand) *graph.Model {
	b := newModel(14)
	x := b.input("x", 2, 4, 12, 12)
	c := func(name, in string, oc, cin, k, s, p, group int) string {
		w := b.randW(r, name+"_W", 0.5, oc, cin/group, k, k)
		bias := b.randW(r, name+"_B", 0.2, oc)
		return b.node("Conv", name, []string{in, w, bias}, nil, aInts("kernel_shape", k, k), aInts("strides", s, s),
			aInts("pads", p, p, p, p), aInt("group", group))
	}
	r1 := b.unary("Relu", "r1", c("c1", x, 8, 4, 3, 1, 1, 1))
	l2 := b.unary("LeakyRelu", "l2", c("c2", r1, 8, 8, 3, 2, 1, 1), aFloat("alpha", 0.1))
	six := b.constF("six", []float32{6})
	zero := b.constF("zero", []float32{0})
	r3 := b.node("Clip", "r3", []string{c("d3", l2, 8, 8, 3, 1, 1, 8), zero, six}, nil)
	g4 := c("g4", r3, 8, 8, 1, 1, 0, 2)
	r5 := b.unary("Relu", "r5", b.node("Add", "a5", []string{g4, l2}, nil))
	hs6 := b.unary("HardSwish", "hs6", r5)
	gap := b.unary("GlobalAveragePool", "gap", hs6)
	hsg7 := b.unary("HardSigmoid", "hsg7", gap, aFloat("alpha", float32(1.0/6)), aFloat("beta", 0.5))
	m8 := b.node("Mul", "m8", []string{hs6, hsg7}, nil)
	ctw := b.randW(r, "ct9_W", 0.5, 8, 4, 2, 2)
	ctb := b.randW(r, "ct9_B", 0.2, 4)
	r9 := b.unary("Relu", "r9", b.node("ConvTranspose", "ct9", []string{m8, ctw, ctb}, nil, aInts("strides", 2, 2)))
	sc := b.constF("scales", []float32{1, 1, 2, 2}, 4)
	up := b.node("Resize", "up10", []string{m8, "", sc}, nil, aString("mode", "nearest"))
	cat := b.node("Concat", "cat11", []string{r9, up}, nil, aInt("axis", 1))
	ap := b.node("AveragePool", "ap12", []string{cat}, nil, aInts("kernel_shape", 3, 3), aInts("pads", 1, 1, 1, 1),
		aInt("count_include_pad", 1))
	mp := b.node("MaxPool", "mp13", []string{ap}, nil, aInts("kernel_shape", 2, 2), aInts("strides", 2, 2))
	rm := b.node("ReduceMean", "rm14", []string{mp}, nil, aInts("axes", 2, 3), aInt("keepdims", 0))
	fc := b.node("Gemm", "fc15", []string{rm, b.randW(r, "fc15_W", 0.5, 5, 12), b.randW(r, "fc15_B", 0.2, 5)}, nil, aInt("transB", 1))
	sg := b.unary("Sigmoid", "sg16", fc)
	sub := b.node("Sub", "sub17", []string{sg, b.constF("half", []float32{0.5})}, nil)
	fc2 := b.node("Gemm", "fc18", []string{sub, b.randW(r, "fc18_W", 0.5, 5, 3)}, nil)
	lr := b.unary("LeakyRelu", "lr19", mp, aFloat("alpha", 0.1))
	gp := b.unary("GlobalAveragePool", "gap20", lr)
	fl := b.node("Flatten", "fl21", []string{gp}, nil)
	mm := b.node("MatMul", "mm22", []string{fl, b.randW(r, "mm22_W", 0.5, 12, 3)}, nil)
	out := b.node("Add", "out", []string{fc2, mm}, nil)
	b.output(out)
	b.output(sg)
	if err := b.m.Graph.Validate(); err != nil {
		panic(err)
	}
	return b.m
}

func quantizeSynthetic(t *testing.T, m *graph.Model, r *rand.Rand, lo, hi float32, shape ...int) *quant.Result {
	t.Helper()
	in := m.Graph.Inputs[0].Name
	var cal []map[string]*tensor.Tensor
	for i := 0; i < 3; i++ {
		cal = append(cal, map[string]*tensor.Tensor{in: randBatch(r, lo, hi, shape...)})
	}
	res, err := quant.Quantize(context.Background(), m, &quant.SliceSource{Batches: cal}, quant.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Logf("quantizer warning: %s", w)
	}
	return res
}

func TestEmuBitExactZoo(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewSource(seed))
		m := zooModel(r)
		res := quantizeSynthetic(t, m, r, -2, 2, 2, 4, 12, 12)
		checkBitExact(t, res, map[string]*tensor.Tensor{"x": randBatch(r, -2.5, 2.5, 2, 4, 12, 12)})
		p, err := CompileResult(res.Prepared, res.Plan)
		if err != nil {
			t.Fatal(err)
		}
		// every DPU node of the zoo has an integer kernel; only the
		// CPU-side ops run in float
		for _, s := range p.Steps() {
			if s.Kernel == "float" && s.OpType != "Sigmoid" && s.OpType != "Sub" {
				t.Errorf("seed %d: node %s (%s) ran in float", seed, s.Node, s.OpType)
			}
		}
	}
}

// TestEmuBitExactLargeK: convs whose int32 sums pass 2^24 (K = 3·3·C
// taps of same-sign operands). The emulator sums exactly; the simulation
// sums in float32 and is exact only below 2^24 LSB (fact sheet §2.3).
// Unsaturated outputs bound the final sum by 2^(7+shift_cut) <= 2^23, so
// only LeakyReLU (whose negative side is divided by ~10 after the sum)
// lets an unsaturated output come from a sum above 2^24: the second case.
func TestEmuBitExactLargeK(t *testing.T) {
	for _, c := range []struct {
		act     string
		ch, hw  int
		wlo, wd float32
	}{{"Relu", 512, 6, 0.02, 0.03}, {"LeakyRelu", 1024, 16, -0.05, 0.03}} {
		t.Run(c.act, func(t *testing.T) { largeK(t, c.act, c.ch, c.hw, c.wlo, c.wd) })
	}
}

func largeK(t *testing.T, act string, ch, hw int, wlo, wd float32) {
	r := rand.New(rand.NewSource(5))
	b := newModel(13)
	x := b.input("x", 1, ch, hw, hw)
	w := make([]float32, 16*ch*9)
	for i := range w {
		w[i] = wlo + wd*r.Float32()
	}
	wn := b.constF("W", w, 16, ch, 3, 3)
	bn := b.randW(r, "B", 0.2, 16)
	c := b.node("Conv", "conv", []string{x, wn, bn}, nil, aInts("kernel_shape", 3, 3), aInts("pads", 1, 1, 1, 1))
	if act == "LeakyRelu" {
		b.output(b.unary(act, "act", c, aFloat("alpha", 0.1)))
	} else {
		b.output(b.unary(act, "act", c))
	}
	res := quantizeSynthetic(t, b.m, r, 0, 1, 1, ch, hw, hw)
	in := map[string]*tensor.Tensor{"x": randBatch(r, 0, 1, 1, ch, hw, hw)}
	checkBitExact(t, res, in)
	p, err := CompileResult(res.Prepared, res.Plan)
	if err != nil {
		t.Fatal(err)
	}
	// how large the sums got: a plain loop over the emulator's int8 input
	// and the int8 weights (padding contributes nothing)
	if _, err := p.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	var xq []int8
	p.Values(func(name string, q *tensor.Tensor, fp int) {
		if name == "x" {
			xq = q.I8
		}
	})
	wq := p.g.params["W"].Q
	maxAcc := int64(0)
	for o := 0; o < 16; o++ {
		for y := 0; y < hw; y++ {
			for xx := 0; xx < hw; xx++ {
				var acc int64
				for ci := 0; ci < ch; ci++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							iy, ix := y+ky-1, xx+kx-1
							if iy >= 0 && iy < hw && ix >= 0 && ix < hw {
								acc += int64(xq[(ci*hw+iy)*hw+ix]) * int64(wq[((o*ch+ci)*3+ky)*3+kx])
							}
						}
					}
				}
				maxAcc = max(maxAcc, acc, -acc)
			}
		}
	}
	t.Logf("largest |accumulator| %d = 2^%.1f LSB (float32 sums are exact below 2^24)", maxAcc, math.Log2(float64(maxAcc)))
}
