package quant

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"testing"

	"fixq/core/tensor"
)

func reluNet(r *rand.Rand) *mb {
	b := newModel(13, fin("x", -1, 4))
	b.randInit(r, "w", 0.5, 4, 4)
	b.node("fc", "MatMul", []string{"x", "w"}, []string{"h"})
	b.node("relu", "Relu", []string{"h"}, []string{"y"})
	return b
}

// countingSource records how many batches were drawn.
type countingSource struct {
	SliceSource
	calls int
}

func (c *countingSource) Next(ctx context.Context) (map[string]*tensor.Tensor, error) {
	c.calls++
	return c.SliceSource.Next(ctx)
}

func TestCalibrateLimitAndProgress(t *testing.T) {
	r := rand.New(rand.NewSource(20))
	m := reluNet(r).outputsVI(nvi("y", 4))
	src := &countingSource{SliceSource: SliceSource{Batches: batches(r, 10, 4, 1, 4)}}
	var stages []string
	last := map[string][2]int{}
	res, err := Quantize(context.Background(), m, src, Config{CalibSize: 10}, func(stage string, done, total int) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
		last[stage] = [2]int{done, total}
	})
	if err != nil {
		t.Fatal(err)
	}
	// 10 samples from batches of 4: 4 + 4 + 2 (the third batch truncated).
	if res.CalibSamples != 10 {
		t.Errorf("calibrated on %d samples, want 10", res.CalibSamples)
	}
	if got := strings.Join(stages, ","); got != "prepare,calibrate,report,export" {
		t.Errorf("stages %s", got)
	}
	if last["calibrate"] != [2]int{10, 10} || last["report"] != [2]int{10, 10} {
		t.Errorf("progress %v", last)
	}
	// Reading stops at the limit without asking for more: 3 batches for
	// calibration, 3 again for the report pass after Rewind.
	if src.calls != 6 {
		t.Errorf("source called %d times, want 6", src.calls)
	}
}

// noRewind hides SliceSource's Rewind: Quantize must keep the batches.
type noRewind struct{ s *SliceSource }

func (n noRewind) Next(ctx context.Context) (map[string]*tensor.Tensor, error) { return n.s.Next(ctx) }

func TestCalibrateWithoutRewind(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	m := reluNet(r).outputsVI(nvi("y", 4))
	cal := batches(r, 3, 4, 1, 4)
	a, err := Quantize(context.Background(), m, noRewind{&SliceSource{Batches: cal}}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Quantize(context.Background(), m, &SliceSource{Batches: cal}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := a.Report.JSON()
	jb, _ := b.Report.JSON()
	if string(ja) != string(jb) {
		t.Error("the report differs between a rewindable and a non-rewindable source")
	}
}

func TestCalibrateErrors(t *testing.T) {
	r := rand.New(rand.NewSource(22))
	m := reluNet(r).outputsVI(nvi("y", 4))
	if _, err := Quantize(context.Background(), m, &SliceSource{}, Config{}, nil); err == nil || !strings.Contains(err.Error(), "no calibration data") {
		t.Errorf("empty source: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := Quantize(ctx, m, &SliceSource{Batches: batches(r, 5, 2, 1, 4)}, Config{}, func(stage string, done, total int) {
		if stage == "calibrate" {
			if calls++; calls == 2 {
				cancel()
			}
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v, want context.Canceled", err)
	}
	bad := []map[string]*tensor.Tensor{{"z": randInput(r, 1, 2, 4)}}
	if _, err := Quantize(context.Background(), m, &SliceSource{Batches: bad}, Config{}, nil); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("batch without the model input: %v", err)
	}
	if _, err := Quantize(context.Background(), m, &SliceSource{Batches: batches(r, 1, 2, 1, 4)}, Config{Float: []string{"nope"}}, nil); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown float node: %v", err)
	}
	if _, err := Quantize(context.Background(), m, &SliceSource{Batches: batches(r, 1, 2, 1, 4)}, Config{CLE: true, BiasCorrection: true}, nil); err != nil {
		t.Errorf("CLE and bias correction: %v", err)
	}
}

func TestCalibrationModeOverBatches(t *testing.T) {
	// Three batches whose maxmin fix_pos (model input, §1.3 item 3) are 6
	// (max 1.0 -> 127.5 -> 6), 5 (max 2.0 -> 63.75 -> 5) and 6 again:
	// the mode is 6.
	m := reluNet(rand.New(rand.NewSource(23))).outputsVI(nvi("y", 4))
	mk := func(v float32) map[string]*tensor.Tensor {
		return map[string]*tensor.Tensor{"x": tensor.FromFloat32([]float32{v, 0.1, -0.2, 0.3}, 1, 4)}
	}
	res, err := Quantize(context.Background(), m, &SliceSource{Batches: []map[string]*tensor.Tensor{mk(1), mk(2), mk(1)}}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fp := res.Plan.Point("x").FixPos; fp != 6 {
		t.Errorf("input fix_pos %d, want 6", fp)
	}
	res, err = Quantize(context.Background(), m, &SliceSource{Batches: []map[string]*tensor.Tensor{mk(2), mk(1)}}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fp := res.Plan.Point("x").FixPos; fp != 5 {
		t.Errorf("input fix_pos %d, want 5 (tie -> smallest)", fp)
	}
}
