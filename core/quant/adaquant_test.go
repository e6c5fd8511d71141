package quant

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"fixq/core/dataset"
	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/core/train"
	"fixq/internal/fmnist"
)

// Fast fine-tuning (Config.FastFinetune, AdaQuant) on the MobileNetV2-style
// Fashion-MNIST model, calibrated on the first 100 training images
// (batches of 10), checked by independent means: the exported QDQ models of
// plain PTQ and of PTQ+AdaQuant, run by core/ops' QuantizeLinear and
// DequantizeLinear kernels, against the float model layer by layer on 200
// held-out training images; and top-1 (and agreement with the float
// model's top-1) on the first 2000 test images.
func TestFastFinetuneLowersLayerErrorFashionMNIST(t *testing.T) {
	ctx := context.Background()
	m := loadModel(t, "mbv2_fmnist.onnx")
	input, output := m.Graph.Inputs[0].Name, m.Graph.Outputs[0].Name
	tr, _ := fmnist.Load(t, "train")
	test, labels := fmnist.Load(t, "t10k")
	quantize := func(cfg Config) *Result {
		res, err := Quantize(ctx, m, &imageSource{im: tr, input: input, n: 100, size: 10}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ptq := quantize(Config{})
	t0 := time.Now()
	ada := quantize(Config{FastFinetune: true, Finetune: FinetuneConfig{Iterations: 100, Seed: 1}})
	elapsed := time.Since(t0)
	layers := ada.FastFinetune.Layers
	kept := 0
	for _, l := range layers {
		if l.MSEAfter > l.MSEBefore {
			t.Errorf("layer %s: own MSE rose %.3g -> %.3g", l.Node, l.MSEBefore, l.MSEAfter)
		}
		if l.Kept {
			kept++
		}
	}
	if len(layers) != 20 || kept < len(layers)*3/4 {
		t.Errorf("%d of %d layers improved (want 20 conv-like layers, most improved)", kept, len(layers))
	}

	held, err := tr.BatchTensor(nil, 1000, 200, fmnistNorm)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*tensor.Tensor{input: held}
	all := func(m *graph.Model) map[string]*tensor.Tensor {
		s, err := engine.NewSession(m, engine.Options{KeepAll: true})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	fl, pv, av := all(ptq.Prepared), all(ptq.Model), all(ada.Model)
	mse := func(a, b *tensor.Tensor) float64 {
		var s float64
		for i, v := range a.F32 {
			d := float64(v) - float64(b.F32[i])
			s += d * d
		}
		return s / float64(len(a.F32))
	}
	lower, logRatio := 0, 0.0
	for _, l := range layers {
		f, p, a := fl[l.Output], pv[l.Output], av[l.Output]
		if f == nil || p == nil || a == nil {
			t.Fatalf("layer output %q missing from a model", l.Output)
		}
		mp, ma := mse(p, f), mse(a, f)
		if ma < mp {
			lower++
		}
		logRatio += math.Log(ma / mp)
	}
	n := float64(len(layers))
	t.Logf("%d of %d layer outputs closer to float on held-out images; geometric mean MSE ratio AdaQuant/PTQ %.3f", lower, len(layers), math.Exp(logRatio/n))
	if lower < len(layers)*3/4 || logRatio >= 0 {
		t.Errorf("AdaQuant lowered the held-out MSE of only %d of %d layers (geometric mean ratio %.3f)", lower, len(layers), math.Exp(logRatio/n))
	}
	if mp, ma := mse(pv[output], fl[output]), mse(av[output], fl[output]); ma >= mp {
		t.Errorf("logits MSE vs float: PTQ %.4g, AdaQuant %.4g", mp, ma)
	}

	const nTest = 2000
	batch, err := test.BatchTensor(nil, 0, nTest, fmnistNorm)
	if err != nil {
		t.Fatal(err)
	}
	preds := func(run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)) []int {
		out, err := run(ctx, map[string]*tensor.Tensor{input: batch})
		if err != nil {
			t.Fatal(err)
		}
		y := out[output]
		k := len(y.F32) / nTest
		p := make([]int, nTest)
		for i := range p {
			p[i] = dataset.ArgMax(y.F32[i*k : (i+1)*k])
		}
		return p
	}
	fs, err := engine.NewSession(ptq.Prepared, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ptq.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	as, err := ada.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	fp, pp, ap := preds(fs.Run), preds(ps.Run), preds(as.Run)
	score := func(p []int) (top1, agree float64) {
		for i, c := range p {
			if c == int(labels[i]) {
				top1++
			}
			if c == fp[i] {
				agree++
			}
		}
		return 100 * top1 / nTest, 100 * agree / nTest
	}
	ft, _ := score(fp)
	pt, pa := score(pp)
	at, aa := score(ap)
	t.Logf("first %d test images: float top-1 %.2f%%; PTQ %.2f%% (agrees with float on %.2f%%); PTQ+AdaQuant %.2f%% (%.2f%%); fine-tuned quantization took %v",
		nTest, ft, pt, pa, at, aa, elapsed.Round(time.Millisecond))
	if at < pt {
		t.Errorf("AdaQuant lowered top-1 from %.2f%% to %.2f%%", pt, at)
	}
	if aa < pa {
		t.Errorf("AdaQuant lowered the agreement with float from %.2f%% to %.2f%%", pa, aa)
	}
}

// The same seed exports the same bytes; another seed other weights.
func TestFastFinetuneReproducible(t *testing.T) {
	ctx := context.Background()
	m := loadModel(t, "cnn_fmnist.onnx")
	input := m.Graph.Inputs[0].Name
	tr, _ := fmnist.Load(t, "train")
	run := func(seed int64) []byte {
		res, err := Quantize(ctx, m, &imageSource{im: tr, input: input, n: 40, size: 10},
			Config{CalibSize: 40, FastFinetune: true, Finetune: FinetuneConfig{Iterations: 20, Seed: seed}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := onnx.EncodeBytes(res.Model)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := run(7), run(7), run(8)
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 7 exported different bytes")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 exported the same bytes")
	}
}

// Cancelling during fine-tuning stops it with the context's error; the
// progress reports one "finetune" stage per layer.
func TestFastFinetuneCancel(t *testing.T) {
	m := loadModel(t, "cnn_fmnist.onnx")
	input := m.Graph.Inputs[0].Name
	tr, _ := fmnist.Load(t, "train")
	ctx, cancel := context.WithCancel(context.Background())
	layers := 0
	_, err := Quantize(ctx, m, &imageSource{im: tr, input: input, n: 20, size: 10},
		Config{CalibSize: 20, FastFinetune: true, Finetune: FinetuneConfig{Iterations: 10}}, func(stage string, done, total int) {
			if stage == "finetune" {
				layers++
				if total != 4 || done != layers {
					t.Errorf("finetune progress %d/%d, want %d/4", done, total, layers)
				}
				cancel()
			}
		})
	if !errors.Is(err, context.Canceled) || layers != 1 {
		t.Fatalf("after cancelling in layer 1: err %v, %d layers reported", err, layers)
	}
}

func TestFinetuneConfigJSON(t *testing.T) {
	c, err := ParseConfig([]byte(`{"fast_finetune": true, "finetune": {"iterations": 50, "lr": 0.1, "batch": 8, "seed": 3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.FastFinetune || c.Finetune != (FinetuneConfig{Iterations: 50, LR: 0.1, Batch: 8, Seed: 3}) {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range []string{`{"finetune": {"iterations": -1}}`, `{"finetune": {"lr": -0.5}}`, `{"finetune": {"batch": -2}}`, `{"finetune": {"steps": 3}}`} {
		if _, err := ParseConfig([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

var _ = train.DefaultAdaQuantIterations

// Export keeps every fix_pos of the result it starts from and quantizes
// the new weights there (saturating), where a fresh Quantize re-derives
// them.
func TestExportKeepsFixPos(t *testing.T) {
	ctx := context.Background()
	m := loadModel(t, "cnn_fmnist.onnx")
	input := m.Graph.Inputs[0].Name
	tr, _ := fmnist.Load(t, "train")
	src := func() BatchSource { return &imageSource{im: tr, input: input, n: 40, size: 10} }
	res, err := Quantize(ctx, m, src(), Config{CalibSize: 40}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var w *Point // the first conv's weight
	for _, pt := range res.Plan.Points {
		if pt.Kind == KindWeight {
			w = pt
			break
		}
	}
	if w == nil {
		t.Fatal("no weight point")
	}
	old := res.Prepared.Graph.Initializers[w.Tensor]
	scaled := old.Clone()
	for i := range scaled.F32 {
		scaled.F32[i] *= 3
	}
	ex, err := res.Export(ctx, map[string]*tensor.Tensor{w.Tensor: scaled}, src(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, pt := range ex.Plan.Points {
		if pt.FixPos != res.Plan.Points[i].FixPos {
			t.Errorf("%s: exported at fix_pos %d, the result had %d", pt.Tensor, pt.FixPos, res.Plan.Points[i].FixPos)
		}
	}
	saturated := 0
	ew := ex.Plan.Point(w.Tensor)
	for i, v := range scaled.F32 {
		want := math.Max(QMin, math.Min(QMax, math.Round(math.Ldexp(float64(v), ew.FixPos))))
		if float64(ew.Q[i]) != want {
			t.Fatalf("%s[%d] = %d, want %v", w.Tensor, i, ew.Q[i], want)
		}
		if want == QMin || want == QMax {
			saturated++
		}
	}
	if saturated == 0 {
		t.Error("tripled weights never saturate at the kept fix_pos: the test proves nothing")
	}
	if res.Prepared.Graph.Initializers[w.Tensor] != old || res.Plan.Point(w.Tensor).Q[0] != w.Q[0] {
		t.Error("Export modified the result it started from")
	}
	fresh := withOwnInitializers(res.Prepared)
	fresh.Graph.Initializers[w.Tensor] = scaled
	re, err := Quantize(ctx, fresh, src(), Config{CalibSize: 40}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if re.Plan.Point(w.Tensor).FixPos == ew.FixPos {
		t.Errorf("a fresh quantization keeps fix_pos %d too: the test proves nothing", ew.FixPos)
	}
	if _, err := res.Export(ctx, map[string]*tensor.Tensor{"nope": scaled}, src(), nil); err == nil {
		t.Error("exporting an unknown initializer: no error")
	}
	if _, err := res.Export(ctx, map[string]*tensor.Tensor{w.Tensor: tensor.MustNew(tensor.Float32, 2)}, src(), nil); err == nil {
		t.Error("exporting a wrongly shaped initializer: no error")
	}
}
