package quant

import (
	"context"
	"encoding/json"
	"math"
	"math/rand"
	"testing"
)

func TestQuantInfoAndReport(t *testing.T) {
	r := rand.New(rand.NewSource(40))
	m := residualNet(r).outputsVI(nvi("prob", 3))
	cal := batches(r, 3, 1, 2, 2, 8, 8)
	res, err := Quantize(context.Background(), m, &SliceSource{Batches: cal}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.Info.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var qi struct {
		Tensors []struct {
			Name   string `json:"name"`
			FixPos int    `json:"fix_pos"`
			Bits   int    `json:"bit_width"`
			Round  string `json:"round"`
		} `json:"tensors"`
		Nodes []struct {
			Name      string `json:"name"`
			Device    string `json:"device"`
			ShiftCut  *int   `json:"shift_cut"`
			ShiftBias *int   `json:"shift_bias"`
			Approx    *struct {
				Kind string `json:"kind"`
				N, M int
			} `json:"approximation"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(b, &qi); err != nil {
		t.Fatal(err)
	}
	fp := map[string]int{}
	for _, x := range qi.Tensors {
		fp[x.Name] = x.FixPos
		if x.Bits != 8 {
			t.Errorf("%s: bit width %d", x.Name, x.Bits)
		}
	}
	// shift_cut = fw+fi-fo and shift_bias = fw+fi-fb (§2.1), from the
	// tensors' own fix_pos: conv1 reads x and (fused) writes r1.
	for _, n := range qi.Nodes {
		switch n.Name {
		case "conv1":
			if n.ShiftCut == nil || *n.ShiftCut != fp["w1"]+fp["x"]-fp["r1"] || *n.ShiftBias != fp["w1"]+fp["x"]-fp["b1"] {
				t.Errorf("conv1 shifts %v/%v, fps %v", n.ShiftCut, n.ShiftBias, fp)
			}
		case "fc":
			if n.ShiftCut == nil || *n.ShiftCut != fp["wf"]+fp["f"]-fp["logits"] {
				t.Errorf("fc shift_cut %v", n.ShiftCut)
			}
		case "sm":
			if n.Device != "CPU" {
				t.Errorf("softmax device %s", n.Device)
			}
		case "gap":
			if n.Approx == nil || n.Approx.Kind != string(ApproxAvgPool) || n.Approx.N != 1 || n.Approx.M != 4 {
				t.Errorf("gap approximation %+v", n.Approx)
			}
		}
	}

	// SQNR of the model input, recomputed here from the calibration data
	// with an independent quantizer (floor(x·2^fp+0.5), saturated).
	var sig, noise float64
	for _, batch := range cal {
		for _, v := range batch["x"].F32 {
			q := math.Max(-128, math.Min(127, math.Floor(float64(v)*math.Pow(2, float64(fp["x"]))+0.5)))
			d := float64(v) - q*math.Pow(2, -float64(fp["x"]))
			sig += float64(v) * float64(v)
			noise += d * d
		}
	}
	want := math.Round(10*math.Log10(sig/noise)*1000) / 1000
	found := false
	for _, l := range res.Report.Layers {
		if l.Tensor == "x" {
			found = true
			if l.SQNRdB == nil || *l.SQNRdB != want {
				t.Errorf("input SQNR %v, want %v", l.SQNRdB, want)
			}
		}
		if l.Tensor == "r1" && (l.WeightRange == nil || l.OpType != "Relu") {
			t.Errorf("r1 row %+v: want the fused conv's weight range", l)
		}
	}
	if !found {
		t.Error("no report row for the input")
	}
}
