package finetune

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"fixq/core/engine"
	"fixq/core/onnx"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
	"fixq/internal/testassets"
)

// The evidence of issue 5, opt-in because it takes tens of minutes:
//
//	FIXQ_EVIDENCE=mbv2_fmnist.onnx go test -run Evidence -v -timeout 3h ./core/train/finetune
//
// scores float, PTQ, PTQ+CLE, PTQ+CLE+AdaQuant and QAT (from the PTQ+CLE
// model) on the full Fashion-MNIST test set. Calibration: the first 100
// training images in batches of 10; AdaQuant with its defaults and seed
// 1; QAT on all 60000 training images (FIXQ_EPOCHS, default 2; batch 64,
// Adam, lr 1e-4 cosine), from the CLE model unless FIXQ_QAT_CLE=0.
// FIXQ_NTRAIN limits the training set; FIXQ_ONLY_QAT skips the PTQ rows.
func TestEvidence(t *testing.T) {
	name := os.Getenv("FIXQ_EVIDENCE")
	if name == "" {
		t.Skip("opt-in: set FIXQ_EVIDENCE=mbv2_fmnist.onnx (or cnn_fmnist.onnx)")
	}
	ctx := context.Background()
	m := loadModel(t, name)
	input, output := m.Graph.Inputs[0].Name, m.Graph.Outputs[0].Name
	tr, trl := fmnist.Load(t, "train")
	test, labels := fmnist.Load(t, "t10k")
	const nTest = 10000
	calib := func() quant.BatchSource { return &imageSource{im: tr, input: input, n: 100, size: 10} }
	fl, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := test.BatchTensor(nil, 0, nTest, fmnistNorm)
	if err != nil {
		t.Fatal(err)
	}
	floatPreds := predictions(t, fl.Run, input, output, all)
	t.Logf("float: %.2f%%", top1(t, test, labels, input, output, nTest, fl.Run))
	agreement := func(run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)) float64 {
		return agree(predictions(t, run, input, output, all), floatPreds)
	}
	rows := []struct {
		name string
		cfg  quant.Config
	}{
		{"PTQ", quant.Config{}},
		{"PTQ+CLE", quant.Config{CLE: true}},
		{"PTQ+CLE+AdaQuant", quant.Config{CLE: true, FastFinetune: true, Finetune: quant.FinetuneConfig{Seed: 1}}},
		{"PTQ+AdaQuant", quant.Config{FastFinetune: true, Finetune: quant.FinetuneConfig{Seed: 1}}},
	}
	if os.Getenv("FIXQ_ONLY_QAT") != "" {
		rows = nil
	}
	for _, c := range rows {
		t0 := time.Now()
		res, err := quant.Quantize(ctx, m, calib(), c.cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(t0)
		sim, err := res.Simulator()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.2f%%, top-1 agrees with float on %.2f%% (quantize %v, fine-tuning %v)", c.name,
			top1(t, test, labels, input, output, nTest, sim.Run), agreement(sim.Run),
			took.Round(time.Millisecond), res.Timings.Finetune.Round(time.Millisecond))
	}
	epochs, nTrain := 2, 60000
	if v, err := strconv.Atoi(os.Getenv("FIXQ_EPOCHS")); err == nil {
		epochs = v
	}
	if v, err := strconv.Atoi(os.Getenv("FIXQ_NTRAIN")); err == nil {
		nTrain = v
	}
	qcfg := quant.Config{CLE: os.Getenv("FIXQ_QAT_CLE") != "0"}
	t0 := time.Now()
	res, err := QAT(ctx, m, &idxSamples{im: tr, labels: trl, input: input, n: nTrain}, calib(), qcfg,
		QATOptions{Epochs: epochs, Batch: 64, Seed: 1}, nil, func(e EpochReport) {
			t.Logf("QAT epoch %d/%d: loss %.4f, train top-1 %.2f%%, %d fix_pos re-derived, frozen %v, %v", e.Epoch, e.Epochs, e.Loss,
				100*float64(e.Correct)/float64(e.N), e.FixPosChanged, e.Frozen, e.Duration.Round(time.Second))
		})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("QAT (CLE %v, %d epochs on %d images): %.2f%%, agrees with float on %.2f%% (%v)", qcfg.CLE, epochs, nTrain,
		top1(t, test, labels, input, output, nTest, sim.Run), agreement(sim.Run), time.Since(t0).Round(time.Second))
}

// textLike draws n 3x48x192 "text lines" in batches of 10: light paper,
// dark glyph-like strokes in a band, every other one upside down;
// normalised as the PaddleOCR classifier wants, (x/255-0.5)/0.5.
func textLike(n int, seed uint64) []map[string]*tensor.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []map[string]*tensor.Tensor
	const h, w = 48, 192
	for s := 0; s < n; s += 10 {
		x := tensor.MustNew(tensor.Float32, 10, 3, h, w)
		for k := 0; k < 10; k++ {
			img := make([]float64, h*w)
			bg := 200 + r.Float64()*50
			for i := range img {
				img[i] = bg + r.NormFloat64()*6
			}
			top, bot := 12+r.IntN(6), 30+r.IntN(6)
			for cx := 4 + r.IntN(8); cx < w-10; cx += 6 + r.IntN(8) {
				gw := 3 + r.IntN(6)
				ink := 20 + r.Float64()*60
				for y := top; y < bot; y++ {
					for xx := cx; xx < cx+gw && xx < w; xx++ {
						if r.Float64() < 0.55 || y == top || xx == cx {
							img[y*w+xx] = ink
						}
					}
				}
			}
			for c := 0; c < 3; c++ {
				for y := 0; y < h; y++ {
					for xx := 0; xx < w; xx++ {
						v := img[y*w+xx]
						if k%2 == 1 {
							v = img[(h-1-y)*w+(w-1-xx)]
						}
						x.F32[((k*3+c)*h+y)*w+xx] = float32((min(max(v, 0), 255)/255 - 0.5) / 0.5)
					}
				}
			}
		}
		out = append(out, map[string]*tensor.Tensor{"x": x})
	}
	return out
}

// Timing of fast fine-tuning on the PaddleOCR text-direction classifier
// with 100 synthetic text-line calibration images (opt-in):
//
//	FIXQ_PADDLE=1 go test -run PaddleTiming -v ./core/train/finetune
func TestPaddleTiming(t *testing.T) {
	if os.Getenv("FIXQ_PADDLE") == "" {
		t.Skip("opt-in: set FIXQ_PADDLE=1")
	}
	b, err := os.ReadFile(testassets.PaddleCls(t))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	iters, _ := strconv.Atoi(os.Getenv("FIXQ_IT"))
	batches := textLike(100, 1)
	for _, ff := range []bool{false, true} {
		var ru0, ru1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		t0 := time.Now()
		res, err := quant.Quantize(context.Background(), m, &quant.SliceSource{Batches: batches},
			quant.Config{FastFinetune: ff, Finetune: quant.FinetuneConfig{Iterations: iters, Seed: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		cpu := time.Duration(ru1.Utime.Nano()-ru0.Utime.Nano()) + time.Duration(ru1.Stime.Nano()-ru0.Stime.Nano())
		t.Logf("fast fine-tuning %v: %v wall, %v CPU; stages %+v", ff, time.Since(t0).Round(time.Millisecond), cpu.Round(time.Millisecond), res.Timings)
		if ff {
			kept := 0
			for _, l := range res.FastFinetune.Layers {
				if l.Kept {
					kept++
				}
			}
			t.Logf("%d of %d layers fine-tuned (lower output MSE)", kept, len(res.FastFinetune.Layers))
		}
	}
}
