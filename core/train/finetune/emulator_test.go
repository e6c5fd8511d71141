package finetune

import (
	"context"
	"math"
	"testing"

	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/dpu"
	"fixq/internal/fmnist"
)

// The DPU emulator (integer kernels, compiled from the QDQ export) stays
// bit-exact with core/quant's simulation on fine-tuned models: one fast
// fine-tuned (AdaQuant) and one QAT-trained cnn_fmnist, on the first 64
// test images, logits compared bit for bit.
func TestEmulatorBitExactAfterFinetuning(t *testing.T) {
	ctx := context.Background()
	m := loadModel(t, "cnn_fmnist.onnx")
	input, output := m.Graph.Inputs[0].Name, m.Graph.Outputs[0].Name
	tr, trl := fmnist.Load(t, "train")
	test, _ := fmnist.Load(t, "t10k")
	ada, err := quant.Quantize(ctx, m, &imageSource{im: tr, input: input, n: 50, size: 10},
		quant.Config{CalibSize: 50, FastFinetune: true, Finetune: quant.FinetuneConfig{Iterations: 30, Seed: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	qat, err := QAT(ctx, m, &idxSamples{im: tr, labels: trl, input: input, n: 256}, nil, quant.Config{CalibSize: 50},
		QATOptions{Epochs: 2, Batch: 32, Seed: 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := test.BatchTensor(nil, 0, 64, fmnistNorm)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*tensor.Tensor{input: x}
	for _, c := range []struct {
		name string
		res  *quant.Result
	}{{"AdaQuant", ada}, {"QAT", qat.Result}} {
		prog, err := dpu.Compile(c.res.Model)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		emu, err := prog.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := c.res.Simulator()
		if err != nil {
			t.Fatal(err)
		}
		want, err := sim.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		e, w := emu[output], want[output]
		if len(e.F32) != len(w.F32) {
			t.Fatalf("%s: emulator gives %v, simulation %v", c.name, e.Shape, w.Shape)
		}
		for i := range w.F32 {
			if math.Float32bits(e.F32[i]) != math.Float32bits(w.F32[i]) {
				t.Fatalf("%s: logit %d: emulator %v, simulation %v", c.name, i, e.F32[i], w.F32[i])
			}
		}
	}
}

// QAT exports at exactly the fix positions of its last epoch, and its
// per-epoch reports say which epoch was frozen.
func TestQATFrozenExport(t *testing.T) {
	ctx := context.Background()
	m := loadModel(t, "cnn_fmnist.onnx")
	input := m.Graph.Inputs[0].Name
	tr, trl := fmnist.Load(t, "train")
	var reps []EpochReport
	res, err := QAT(ctx, m, &idxSamples{im: tr, labels: trl, input: input, n: 192}, nil, quant.Config{CalibSize: 40},
		QATOptions{Epochs: 3, Batch: 32, Optimizer: "sgd", LR: 0.02, Seed: 2}, nil, func(e EpochReport) { reps = append(reps, e) })
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 3 || reps[2].Epoch != 3 || !reps[2].Frozen || reps[0].Frozen || reps[1].Frozen || reps[0].N != 192 {
		t.Fatalf("epoch reports %+v", reps)
	}
	// The export carries the frozen fix positions, all of them.
	n := 0
	for _, pt := range res.Plan.Points {
		if pt.Inherit != "" {
			continue
		}
		f, ok := res.Frozen.Points[pt.Tensor]
		if !ok || f.FixPos != pt.FixPos {
			t.Errorf("%s exported at fix_pos %d, frozen at %+v (%v)", pt.Tensor, pt.FixPos, f, ok)
		}
		n++
	}
	if n != len(res.Frozen.Points) || n == 0 {
		t.Errorf("%d exported points, %d frozen", n, len(res.Frozen.Points))
	}
}
