package ops

import (
	"math"
	"testing"

	"fixq/core/tensor"
)

// mtUnaryRef checks a float32 unary op against a float64 reference
// function on a spread of values, including 0, ±Inf and NaN where given.
func mtUnaryRef(t *testing.T, op string, opset int64, f func(float64) float64, xs ...float32) {
	t.Helper()
	want := make([]float32, len(xs))
	for i, x := range xs {
		want[i] = float32(f(float64(x)))
	}
	mtWant(t, opset, mtNode(op), tensor.FromFloat32(want, len(xs)), tensor.FromFloat32(xs, len(xs)))
}

var mtInf = float32(math.Inf(1))
