package train

import (
	"math"
	"testing"
)

// The rounding rules of DPU-ARITHMETIC.md §1.2 (XIR's own examples) and
// §1.1's range, at fix_pos 0 and 1.
func TestFakeQuantFactSheet(t *testing.T) {
	cases := []struct {
		x    float32
		fp   int
		r    Round
		want float32
		in   uint8
	}{
		{2.5, 0, RoundDPU, 3, 1}, {-2.5, 0, RoundDPU, -2, 1}, {2.5, 0, RoundStd, 3, 1}, {-2.5, 0, RoundStd, -3, 1},
		{-0.5, 0, RoundDPU, 0, 1}, {-0.5, 0, RoundStd, -1, 1}, {0.49999997, 0, RoundDPU, 0, 1},
		{1.25, 1, RoundDPU, 1.5, 1}, {-1.25, 1, RoundDPU, -1, 1}, {-1.25, 1, RoundStd, -1.5, 1},
		{127.4, 0, RoundDPU, 127, 0}, {127, 0, RoundDPU, 127, 1}, {200, 0, RoundStd, 127, 0},
		{-128, 0, RoundDPU, -128, 1}, {-128.4, 0, RoundStd, -128, 0}, {-1e30, 3, RoundDPU, -16, 0},
		{float32(math.NaN()), 2, RoundDPU, 0, 0}, {float32(math.Inf(1)), 2, RoundStd, 127.0 / 4, 0},
	}
	for _, c := range cases {
		dst, mask := []float32{0}, []uint8{9}
		fakeQuant(dst, []float32{c.x}, Point{FixPos: c.fp, Round: c.r}, mask)
		if dst[0] != c.want || mask[0] != c.in {
			t.Errorf("fakeQuant(%v, fp %d, %v) = %v gate %d, want %v gate %d", c.x, c.fp, c.r, dst[0], mask[0], c.want, c.in)
		}
	}
}
