package dataset

import (
	"math"
	"strings"
	"testing"

	"fixq/core/tensor"
)

func TestNormApply(t *testing.T) {
	n := Norm{Mean: 0.5, Std: 0.5}
	// (p/255 - 0.5)/0.5 at the ends and the middle, worked by hand.
	for p, want := range map[uint8]float32{0: -1, 255: 1, 51: -0.6} {
		if got := n.Apply(p); math.Abs(float64(got-want)) > 1e-7 {
			t.Errorf("Apply(%d) = %v, want %v", p, got, want)
		}
	}
	for _, bad := range []Norm{{}, {Mean: 0.5, Std: -1}, {Std: float32(math.Inf(1))}, {Mean: float32(math.NaN()), Std: 1}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Norm %v: no error", bad)
		}
	}
}

func testImages() *Images {
	im := &Images{N: 5, H: 2, W: 3, Pix: make([]uint8, 30)}
	for i := range im.Pix {
		im.Pix[i] = uint8(i * 8)
	}
	return im
}

func TestBatch(t *testing.T) {
	im, n := testImages(), Norm{Mean: 0.25, Std: 2}
	dst := make([]float32, 2*6+1)
	dst[12] = float32(math.NaN()) // guard: must stay untouched
	if err := im.Batch(dst[:12], 1, 2, n); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		p := float64(im.Pix[6+i])
		if want := (p/255 - 0.25) / 2; math.Abs(float64(dst[i])-want) > 1e-7 {
			t.Errorf("[%d] = %v, want %v", i, dst[i], want)
		}
	}
	if !math.IsNaN(float64(dst[12])) {
		t.Error("Batch wrote past its batch")
	}
	for _, c := range []struct {
		start, count, dst int
		want              string
	}{
		{4, 2, 12, "out of range"}, {-1, 1, 6, "out of range"}, {0, 0, 0, "out of range"}, {0, 1, 7, "needs 6 floats"},
	} {
		if err := im.Batch(make([]float32, c.dst), c.start, c.count, n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Batch(%d, %d) into %d: err = %v, want %q", c.start, c.count, c.dst, err, c.want)
		}
	}
	if err := im.Batch(dst[:6], 0, 1, Norm{}); err == nil {
		t.Error("zero Norm accepted")
	}
	bad := &Images{N: 2, H: 2, W: 2, Pix: make([]uint8, 7)}
	if err := bad.Batch(make([]float32, 4), 0, 1, n); err == nil || !strings.Contains(err.Error(), "invalid image set") {
		t.Errorf("short Pix: err = %v", err)
	}
}

func TestBatchTensorReuses(t *testing.T) {
	im, n := testImages(), Norm{Mean: 0.5, Std: 0.5}
	a, err := im.BatchTensor(nil, 0, 3, n)
	if err != nil || !tensor.SameShape(a.Shape, []int{3, 1, 2, 3}) || a.Validate() != nil {
		t.Fatalf("%v %v", a, err)
	}
	b, err := im.BatchTensor(a, 3, 2, n)
	if err != nil || b != a || &b.F32[0] != &a.F32[:1][0] || !tensor.SameShape(b.Shape, []int{2, 1, 2, 3}) {
		t.Fatalf("smaller batch did not reuse storage: %v %v", b, err)
	}
	if b.F32[0] != n.Apply(im.Pix[18]) {
		t.Errorf("b[0] = %v, want image 3", b.F32[0])
	}
}

func TestBatches(t *testing.T) {
	im, n := testImages(), Norm{Mean: 0.5, Std: 0.5}
	seq, err := im.Batches(2, n)
	if err != nil {
		t.Fatal(err)
	}
	var starts, counts []int
	for start, b := range seq {
		starts, counts = append(starts, start), append(counts, b.Shape[0])
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
		for i, v := range b.F32 {
			if want := n.Apply(im.Pix[start*6+i]); v != want {
				t.Fatalf("batch at %d [%d] = %v, want %v", start, i, v, want)
			}
		}
	}
	if len(starts) != 3 || starts[2] != 4 || counts[0] != 2 || counts[2] != 1 {
		t.Errorf("starts %v counts %v, want [0 2 4] [2 2 1]", starts, counts)
	}
	for start := range seq {
		if start > 0 {
			t.Fatal("break did not stop the iterator")
		}
		break
	}
	if _, err := im.Batches(0, n); err == nil {
		t.Error("batch size 0 accepted")
	}
}

func TestCountTop1(t *testing.T) {
	nan := float32(math.NaN())
	logits := tensor.FromFloat32([]float32{
		0, 3, 1, // 1
		2, 2, 0, // tie: first wins, 0
		nan, -1, -2, // NaN never wins: 1
		5, 4, 6, // 2
	}, 4, 3)
	got, err := CountTop1(logits, []uint8{1, 0, 1, 0})
	if err != nil || got != 3 {
		t.Errorf("CountTop1 = %d, %v; want 3", got, err)
	}
	if _, err := CountTop1(logits, []uint8{1}); err == nil {
		t.Error("label count mismatch accepted")
	}
	if ArgMax(nil) != -1 || ArgMax([]float32{nan}) != -1 {
		t.Error("ArgMax of empty or all-NaN row is not -1")
	}
}

func BenchmarkBatch(b *testing.B) {
	im := &Images{N: 100, H: 28, W: 28, Pix: make([]uint8, 100*784)}
	dst := make([]float32, 100*784)
	n := Norm{Mean: 0.5, Std: 0.5}
	b.SetBytes(int64(len(im.Pix)))
	b.ReportAllocs()
	for b.Loop() {
		if err := im.Batch(dst, 0, 100, n); err != nil {
			b.Fatal(err)
		}
	}
}
