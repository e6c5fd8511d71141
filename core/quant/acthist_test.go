package quant

import (
	"context"
	"math"
	"math/rand"
	"testing"
)

// refCounts bins values into n equal bins over [lo, hi) with a plain loop
// (the reference); out counts values outside.
func refCounts(values []float32, lo, hi float64, n int) (counts []int64, out int) {
	counts = make([]int64, n)
	w := (hi - lo) / float64(n)
	for _, v := range values {
		x := float64(v)
		if !(x >= lo && x < hi) {
			out++
			continue
		}
		for i := 0; i < n; i++ {
			if x >= lo+float64(i)*w && x < lo+float64(i+1)*w {
				counts[i]++
				break
			}
		}
	}
	return counts, out
}

func TestActHistogramKnownBins(t *testing.T) {
	// fix_pos 4: grid step 1/16, first bin width 1/64 on both sides of 0.
	// By hand: 0 -> positive bin 0, 0.1 -> floor(6.4) = 6, 0.49 ->
	// floor(31.36) = 31, -0.5 -> negative bin 31 ([-32/64, -31/64)). 32
	// bins each side: the window is [-0.5, 0.5), 0 at bin 32.
	h := newActHistogram(4)
	h.add([]float32{0, 0.1, -0.5, 0.49})
	check := func(what string, min, max float64, want map[int]int64) {
		t.Helper()
		got := h.histogram()
		if got.Min != min || got.Max != max || len(got.Counts) != HistBins {
			t.Fatalf("%s: window [%g, %g) with %d bins, want [%g, %g) with %d", what, got.Min, got.Max, len(got.Counts), min, max, HistBins)
		}
		for i, c := range got.Counts {
			if c != want[i] {
				t.Errorf("%s: bin %d: %d, want %d", what, i, c, want[i])
			}
		}
	}
	check("four values", -0.5, 0.5, map[int]int64{0: 1, 32: 1, 38: 1, 63: 1})
	// 3.0 doubles the positive side twice (width 1/16: bin 48); the
	// negative side merges to 1/16 too (-0.5 -> bin 7). 49 + 8 bins used,
	// 7 spare: 3 go left, so 0 is at bin 11 and the window is
	// [-11/16, 53/16). 0 -> 11, 0.1 -> 12, 0.49 -> 18, 3.0 -> 59,
	// -0.5 -> 11-1-7 = 3. NaN and +Inf are counted apart.
	h.add([]float32{3, float32(math.NaN()), float32(math.Inf(1))})
	check("with 3.0", -0.6875, 3.3125, map[int]int64{3: 1, 11: 1, 12: 1, 18: 1, 59: 1})
	if got := h.histogram(); got.NonFinite != 2 {
		t.Errorf("nonfinite %d, want 2", got.NonFinite)
	}
	// -40 needs width 1 on the negative side (bin 39); -0.5 is in its
	// bin 0, and 0, 0.1, 0.49 in positive bin 0, 3.0 in bin 3. 40 + 4
	// used, 20 spare: 10 left, so 0 is at bin 50, the window [-50, 14).
	h.add([]float32{-40})
	check("with -40", -50, 14, map[int]int64{10: 1, 49: 1, 50: 3, 53: 1})
	// Only zeros: one bin, 0 at bin 31 (31 spare bins go left).
	h = newActHistogram(0)
	h.add([]float32{0, 0, 0})
	check("zeros", -31.0/4, 33.0/4, map[int]int64{31: 3})
}

func TestActHistogramAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for trial := 0; trial < 40; trial++ {
		n := 1 + r.Intn(3000)
		vals := make([]float32, n)
		scale := math.Pow(10, float64(r.Intn(9)-4))
		shift := 0.0
		if trial%3 == 0 {
			shift = scale * 3 // all positive, away from 0
		}
		for i := range vals {
			switch trial % 4 {
			case 0, 1:
				vals[i] = float32(r.NormFloat64()*scale + shift)
			case 2:
				vals[i] = float32(math.Max(0, r.NormFloat64()*scale)) // ReLU-like
			default:
				vals[i] = float32(r.ExpFloat64() * scale * float64(1-2*(i%2)))
			}
		}
		fp := r.Intn(20) - 4
		h := newActHistogram(fp)
		// In uneven chunks, as batches arrive.
		for i := 0; i < n; {
			j := min(n, i+1+r.Intn(200))
			h.add(vals[i:j])
			i = j
		}
		got := h.histogram()
		var sum int64
		for _, c := range got.Counts {
			sum += c
		}
		if sum != int64(n) || got.NonFinite != 0 {
			t.Fatalf("trial %d: counts sum to %d (+%d nonfinite), want %d", trial, sum, got.NonFinite, n)
		}
		ref, out := refCounts(vals, got.Min, got.Max, HistBins)
		if out != 0 {
			t.Fatalf("trial %d: %d values outside [%g, %g)", trial, out, got.Min, got.Max)
		}
		for i := range ref {
			if ref[i] != got.Counts[i] {
				t.Fatalf("trial %d: bin %d: %d, reference %d", trial, i, got.Counts[i], ref[i])
			}
		}
		// Bins are aligned with the int8 grid: the width is a power of two
		// no smaller than a quarter step, and Min is a multiple of it.
		w := (got.Max - got.Min) / HistBins
		if e := math.Log2(w); e != math.Trunc(e) || w < math.Ldexp(1, -fp-2) || math.Mod(got.Min, w) != 0 {
			t.Fatalf("trial %d: window [%g, %g) width %g is not power-of-two aligned (fix_pos %d)", trial, got.Min, got.Max, w, fp)
		}
		// The narrowest such window: at half the width, the bins from the
		// lowest to the highest value (0 being an edge) are more than 64.
		lo, hi := float64(vals[0]), float64(vals[0])
		for _, v := range vals {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
		if w > math.Ldexp(1, -fp-2) {
			hw := w / 2
			need := 0.0
			if hi >= 0 {
				need += math.Floor(hi/hw) + 1
			}
			if lo < 0 {
				need += math.Ceil(-lo / hw)
			}
			if need <= HistBins {
				t.Errorf("trial %d: width %g for values in [%g, %g]: %g bins of half the width would hold them", trial, w, lo, hi, need)
			}
		}
		// The order of the values does not matter.
		h2 := newActHistogram(fp)
		perm := r.Perm(n)
		for _, i := range perm {
			h2.add(vals[i : i+1])
		}
		if g2 := h2.histogram(); g2.Min != got.Min || g2.Max != got.Max || !equalInt64(g2.Counts, got.Counts) {
			t.Fatalf("trial %d: shuffled values give another histogram", trial)
		}
	}
}

func equalInt64(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestActHistogramAddAllocatesNothing(t *testing.T) {
	h := newActHistogram(3)
	vals := []float32{1, -2, 100, 0.001, -1e6}
	if a := testing.AllocsPerRun(100, func() { h.add(vals) }); a != 0 {
		t.Errorf("add allocates %g times", a)
	}
}

// The report's histograms hold every float value of the calibration data:
// the model input x and the float relu(x·w) computed by a plain loop here.
func TestReportHistograms(t *testing.T) {
	r := rand.New(rand.NewSource(23))
	b := reluNet(r)
	w := b.m.Graph.Initializers["w"].F32
	m := b.outputsVI(nvi("y", 4))
	cal := batches(r, 5, 4, 2, 4)
	res, err := Quantize(context.Background(), m, &SliceSource{Batches: cal}, Config{CalibSize: 18}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 18 samples: batches of 4, 4, 4, 4 and the first 2 of the fifth.
	var xs, ys []float32
	for bi, bt := range cal {
		x := bt["x"].F32
		rows := 4
		if bi == 4 {
			rows = 2
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < 4; j++ {
				xs = append(xs, x[i*4+j])
				var s float32
				for k := 0; k < 4; k++ {
					s += x[i*4+k] * w[k*4+j]
				}
				ys = append(ys, max(s, 0))
			}
		}
	}
	want := map[string][]float32{"x": xs, "y": ys}
	seen := 0
	for _, l := range res.Report.Layers {
		vals, ok := want[l.Tensor]
		if !ok {
			continue
		}
		seen++
		h := l.Histogram
		if h == nil {
			t.Errorf("%s: no histogram", l.Tensor)
			continue
		}
		var sum int64
		for _, c := range h.Counts {
			sum += c
		}
		if sum != int64(len(vals)) || len(h.Counts) != HistBins {
			t.Errorf("%s: %d bins summing to %d, want %d bins summing to %d values", l.Tensor, len(h.Counts), sum, HistBins, len(vals))
		}
		ref, out := refCounts(vals, h.Min, h.Max, HistBins)
		if out != 0 || !equalInt64(ref, h.Counts) {
			t.Errorf("%s: counts %v over [%g, %g), the plain loop gives %v (%d outside)", l.Tensor, h.Counts, h.Min, h.Max, ref, out)
		}
		if w := (h.Max - h.Min) / HistBins; w < math.Ldexp(1, -l.FixPos-2) {
			t.Errorf("%s: bin width %g is finer than a quarter of the grid step of fix_pos %d", l.Tensor, w, l.FixPos)
		}
	}
	if seen != 2 {
		t.Errorf("report layers %+v: want rows for x and y", res.Report.Layers)
	}
}
