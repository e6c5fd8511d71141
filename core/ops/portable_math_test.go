package ops

import (
	"math"
	"math/rand"
	"testing"
)

// TestPortableExpLog: the portable versions agree with the math package
// to a few ulps over a wide range (amd64 assembly differs by up to 2) and give its special values exactly.
func TestPortableExpLog(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	ulps := func(a, b float64) uint64 {
		x, y := math.Float64bits(a), math.Float64bits(b)
		if x > y {
			return x - y
		}
		return y - x
	}
	for i := 0; i < 200000; i++ {
		x := (r.Float64()*2 - 1) * 700
		if d := ulps(portableExp(x), math.Exp(x)); d > 4 {
			t.Fatalf("exp(%g): %g vs %g (%d ulps)", x, portableExp(x), math.Exp(x), d)
		}
		y := math.Exp((r.Float64()*2 - 1) * 700)
		if d := ulps(portableLog(y), math.Log(y)); d > 4 {
			t.Fatalf("log(%g): %g vs %g (%d ulps)", y, portableLog(y), math.Log(y), d)
		}
	}
	for _, c := range []struct{ got, want float64 }{
		{portableExp(0), 1}, {portableExp(math.Inf(1)), math.Inf(1)}, {portableExp(math.Inf(-1)), 0},
		{portableExp(1000), math.Inf(1)}, {portableLog(1), 0}, {portableLog(0), math.Inf(-1)},
		{portableLog(math.Inf(1)), math.Inf(1)},
	} {
		if c.got != c.want {
			t.Errorf("special value: got %g, want %g", c.got, c.want)
		}
	}
	if !math.IsNaN(portableLog(-1)) || !math.IsNaN(portableExp(math.NaN())) {
		t.Error("NaN cases")
	}
}
