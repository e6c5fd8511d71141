package finetune

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fixq/core/dataset"
	"fixq/core/engine"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/internal/fmnist"
)

// TestAdaQuantSweep chooses AdaQuant's settings on a validation split and
// only then scores them on the test set (opt-in, tens of minutes):
//
//	FIXQ_SWEEP=mbv2_fmnist.onnx go test -run AdaQuantSweep -v -timeout 4h ./core/train/finetune
//
// Validation: Fashion-MNIST training images 50000-59999 (never used for
// calibration, which takes the first FIXQ calibration images of the
// training set); the score there is top-1 agreement with the float model
// (what AdaQuant optimises for, label-free) and top-1. Each row is one
// configuration: FIXQ_SWEEP_ROWS is a ';'-separated list of
// comma-separated key=value settings: cle (0/1), n (calibration images,
// batches of 10), it (iterations per layer), lr, batch, seed, ff (0 for
// plain PTQ). The default rows are plain PTQ and AdaQuant's defaults.
func TestAdaQuantSweep(t *testing.T) {
	name := os.Getenv("FIXQ_SWEEP")
	if name == "" {
		t.Skip("opt-in: set FIXQ_SWEEP=mbv2_fmnist.onnx (or cnn_fmnist.onnx)")
	}
	rows := os.Getenv("FIXQ_SWEEP_ROWS")
	if rows == "" {
		rows = "ff=0,n=100;ff=1,n=100,seed=1"
	}
	ctx := context.Background()
	m := loadModel(t, name)
	input, output := m.Graph.Inputs[0].Name, m.Graph.Outputs[0].Name
	tr, trl := fmnist.Load(t, "train")
	test, tel := fmnist.Load(t, "t10k")
	const valFrom, nVal, nTest = 50000, 10000, 10000
	fl, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	valPreds := chunkedPredictions(t, fl.Run, input, output, tr, valFrom, nVal)
	testPreds := chunkedPredictions(t, fl.Run, input, output, test, 0, nTest)
	t.Logf("float: val top-1 %.2f%%, test top-1 %.2f%%", score(valPreds, trl[valFrom:]), score(testPreds, tel))
	for _, row := range strings.Split(rows, ";") {
		cfg, n, err := sweepConfig(row)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		res, err := quant.Quantize(ctx, m, &imageSource{im: tr, input: input, n: n, size: 10}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(t0)
		sim, err := res.Simulator()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.CLE {
			// CLE replaces ReLU6 by ReLU where it scales across one: the
			// float model the quantizer (and AdaQuant) then matches.
			eq, err := engine.NewSession(res.Prepared, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%-40s the equalized float model: val top-1 %.2f%%, test top-1 %.2f%%", row,
				score(chunkedPredictions(t, eq.Run, input, output, tr, valFrom, nVal), trl[valFrom:]),
				score(chunkedPredictions(t, eq.Run, input, output, test, 0, nTest), tel))
		}
		vp := chunkedPredictions(t, sim.Run, input, output, tr, valFrom, nVal)
		tp := chunkedPredictions(t, sim.Run, input, output, test, 0, nTest)
		t.Logf("%-40s val: agree %.2f%% top-1 %.2f%% | test: top-1 %.2f%% agree %.2f%% | %v", row,
			agree(vp, valPreds), score(vp, trl[valFrom:]), score(tp, tel), agree(tp, testPreds), took.Round(time.Second))
	}
}

func sweepConfig(row string) (quant.Config, int, error) {
	cfg, n := quant.Config{FastFinetune: true}, 100
	for _, kv := range strings.Split(row, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return cfg, 0, fmt.Errorf("sweep row %q: %q is not key=value", row, kv)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return cfg, 0, fmt.Errorf("sweep row %q: %v", row, err)
		}
		switch k {
		case "cle":
			cfg.CLE = f != 0
		case "bc":
			cfg.BiasCorrection = f != 0
		case "ff":
			cfg.FastFinetune = f != 0
		case "n":
			n = int(f)
		case "it":
			cfg.Finetune.Iterations = int(f)
		case "lr":
			cfg.Finetune.LR = f
		case "batch":
			cfg.Finetune.Batch = int(f)
		case "seed":
			cfg.Finetune.Seed = int64(f)
		default:
			return cfg, 0, fmt.Errorf("sweep row %q: unknown key %q", row, k)
		}
	}
	cfg.CalibSize = n
	return cfg, n, nil
}

// chunkedPredictions is the argmax of run on images [from, from+n) of im,
// 1000 at a time.
func chunkedPredictions(t testing.TB, run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error),
	input, output string, im *dataset.Images, from, n int) []int {
	t.Helper()
	var out []int
	for s := 0; s < n; s += 1000 {
		x, err := im.BatchTensor(nil, from+s, min(1000, n-s), fmnistNorm)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, predictions(t, run, input, output, x)...)
	}
	return out
}

func score(p []int, labels []uint8) float64 {
	hits := 0
	for i, v := range p {
		if v == int(labels[i]) {
			hits++
		}
	}
	return 100 * float64(hits) / float64(len(p))
}

func agree(a, b []int) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return 100 * float64(same) / float64(len(a))
}
