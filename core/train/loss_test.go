package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The losses' gradients against central differences computed in float64
// (logits on a 2^-12 grid, step 2^-10, so x±h is exact in float32).
func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(40, 41))
	const rows, classes = 5, 7
	logits := make([]float32, rows*classes)
	for i := range logits {
		logits[i] = float32(math.Round((r.Float64()*8-4)*4096) / 4096)
	}
	labels := []int{0, 6, 3, 3, 1}
	grad := make([]float32, len(logits))
	loss, correct, err := SoftmaxCrossEntropy(logits, classes, labels, grad)
	if err != nil {
		t.Fatal(err)
	}
	// Independent loss: -log softmax, averaged, in float64.
	var want float64
	wantCorrect := 0
	for r, lab := range labels {
		row := logits[r*classes : (r+1)*classes]
		var z float64
		best := 0
		for c, v := range row {
			z += math.Exp(float64(v))
			if v > row[best] {
				best = c
			}
		}
		want += (math.Log(z) - float64(row[lab])) / rows
		if best == lab {
			wantCorrect++
		}
	}
	if math.Abs(loss-want) > 1e-12 || correct != wantCorrect {
		t.Fatalf("loss %.15g correct %d, want %.15g and %d", loss, correct, want, wantCorrect)
	}
	const h = 1.0 / 1024
	for i := range logits {
		orig := logits[i]
		logits[i] = orig + h
		lp, _, _ := SoftmaxCrossEntropy(logits, classes, labels, nil)
		logits[i] = orig - h
		lm, _, _ := SoftmaxCrossEntropy(logits, classes, labels, nil)
		logits[i] = orig
		if num := (lp - lm) / (2 * h); math.Abs(num-float64(grad[i])) > 1e-6 {
			t.Errorf("dL/dlogit[%d] = %.8g, central differences %.8g", i, grad[i], num)
		}
	}
	if _, _, err := SoftmaxCrossEntropy(logits, classes, []int{0, 1, 2, 3, 7}, nil); err == nil {
		t.Error("label 7 of 7 classes: no error")
	}
	if _, _, err := SoftmaxCrossEntropy(logits, 6, labels, nil); err == nil {
		t.Error("35 logits as 6 classes: no error")
	}
}

func TestMSEGradient(t *testing.T) {
	y := []float32{0.5, -1.25, 2, 0}
	target := []float32{0.25, -1, 1, 0.5}
	grad := make([]float32, 4)
	got, err := MSE(y, target, grad)
	if err != nil {
		t.Fatal(err)
	}
	// (0.25² + 0.25² + 1 + 0.25) / 4 and 2(y-t)/4, by hand.
	if got != (0.0625+0.0625+1+0.25)/4 {
		t.Errorf("MSE %v", got)
	}
	for i, want := range []float32{0.125, -0.125, 0.5, -0.25} {
		if grad[i] != want {
			t.Errorf("grad[%d] = %v, want %v", i, grad[i], want)
		}
	}
	if _, err := MSE(y, target[:3], nil); err == nil {
		t.Error("length mismatch: no error")
	}
}

// Adam's first steps with a constant gradient move each weight by lr·g/(|g|+ε)
// (bias correction makes m̂ = g and v̂ = g²); SGD with momentum μ moves by
// lr·g, then lr·(1+μ)·g (PyTorch's torch.optim.SGD form); weight decay adds
// λ·w to the gradient.
func TestOptimizers(t *testing.T) {
	p := &Param{W: []float32{1, -2, 0.5}, G: []float32{0.3, -0.001, 0}}
	adam := &Adam{}
	lr := func(*Param) float64 { return 0.01 }
	for step := 1; step <= 2; step++ {
		before := append([]float32(nil), p.W...)
		adam.Step([]*Param{p}, lr)
		for i, g := range p.G {
			want := float64(before[i]) - 0.01*float64(g)/(math.Abs(float64(g))+1e-8)
			if math.Abs(float64(p.W[i])-want) > 1e-6 {
				t.Errorf("Adam step %d: w[%d] = %v, want %v", step, i, p.W[i], want)
			}
		}
	}
	q := &Param{W: []float32{1, -2}, G: []float32{0.5, 1}}
	sgd := &SGD{Momentum: 0.9}
	sgd.Step([]*Param{q}, func(*Param) float64 { return 0.1 })
	sgd.Step([]*Param{q}, func(*Param) float64 { return 0.1 })
	for i, want := range []float64{1 - 0.1*0.5 - 0.1*1.9*0.5, -2 - 0.1*1 - 0.1*1.9*1} {
		if math.Abs(float64(q.W[i])-want) > 1e-6 {
			t.Errorf("SGD momentum: w[%d] = %v, want %v", i, q.W[i], want)
		}
	}
	d := &Param{W: []float32{2}, G: []float32{0}}
	(&SGD{WeightDecay: 0.5}).Step([]*Param{d}, func(*Param) float64 { return 0.1 })
	if math.Abs(float64(d.W[0])-1.9) > 1e-6 {
		t.Errorf("SGD weight decay: w = %v, want 1.9", d.W[0])
	}
}

// A quantized net passes gradients only where the straight-through
// estimator's gate is open: activations and weights outside the int8
// clamp range get none.
func TestStraightThroughGate(t *testing.T) {
	m := newModel(13, "x").
		init("w", tensorOf([]float32{0.5, 3, -0.25, -5}, 4, 1, 1, 1)). // -5 is out of range at fix_pos 5
		node("c", "Conv", []string{"x", "w"}, []string{"y"}, aint("group", 1)).
		out("y")
	spec := &Spec{Points: map[string]Point{
		"x": {FixPos: 4, Round: RoundDPU}, // range [-8, 7.9375]
		"w": {FixPos: 5, Round: RoundStd}, // range [-4, 3.96875]
		"y": {FixPos: 3, Round: RoundDPU}, // range [-16, 15.875]
	}}
	net, err := NewNet(m, spec, Options{InputGrads: true})
	if err != nil {
		t.Fatal(err)
	}
	// x: one pixel inside, one outside the input range.
	x := tensorOf([]float32{2, 9}, 1, 1, 1, 2)
	ctx := t.Context()
	if err := net.Forward(ctx, map[string]*tensorT{"x": x}, -1); err != nil {
		t.Fatal(err)
	}
	// q(x) = 2, 7.9375 (9 saturates); q(w) = 0.5, 3, -0.25, -4 (-5
	// saturates). Products 1, 3.96875 | 6, 23.8125 | -0.5, -1.984375 |
	// -8, -31.75, rounded at fix_pos 3 (DPU_ROUND) and saturated to
	// [-16, 15.875].
	y := net.Value("y").F32
	wantY := []float32{1, 4, 6, 15.875, -0.5, -2, -8, -16}
	for i := range wantY {
		if y[i] != wantY[i] {
			t.Fatalf("y = %v, want %v", y, wantY)
		}
	}
	g, err := net.SeedGrad("y")
	if err != nil {
		t.Fatal(err)
	}
	for i := range g {
		g[i] = 1
	}
	if err := net.Backward(ctx); err != nil {
		t.Fatal(err)
	}
	// The output gate is closed where the product leaves [-16, 15.875]:
	// 23.8125 and -31.75. dL/dw_c = Σ_k gate·q(x_k), 0 for the saturated w.
	wantW := []float32{2 + 7.9375, 2, 2 + 7.9375, 0}
	for c, want := range wantW {
		if got := net.Param("w").G[c]; got != want {
			t.Errorf("dw[%d] = %v, want %v", c, got, want)
		}
	}
	// dL/dx_k = Σ_c gate·q(w_c) for the in-range pixel, 0 for the other.
	wantX := []float32{0.5 + 3 - 0.25 - 4, 0}
	for k, want := range wantX {
		if got := net.InputGrad("x")[k]; got != want {
			t.Errorf("dx[%d] = %v, want %v", k, got, want)
		}
	}
}
