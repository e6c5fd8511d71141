package ops

import "testing"

func TestPRelu(t *testing.T) {
	mtONNX(t, "test_prelu_broadcast", "test_prelu_example")
	// Per-channel slope [C,1,1] on NCHW, checked against a plain loop.
	const n, c, h, w = 2, 3, 2, 2
	x := make([]float32, n*c*h*w)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	slope := []float32{0.1, 0.2, 0.3}
	want := make([]float32, len(x))
	for i, v := range x {
		ch := (i / (h * w)) % c
		if v < 0 {
			v *= slope[ch]
		}
		want[i] = v
	}
	xt := mtF32([]int{n, c, h, w}, x...)
	mtWant(t, 16, mtNode("PRelu"), mtF32([]int{n, c, h, w}, want...), xt, mtF32([]int{c, 1, 1}, slope...))
	// Before opset 7 a 1-D slope of C values is per channel.
	mtWant(t, 6, mtNode("PRelu"), mtF32([]int{n, c, h, w}, want...), xt, mtF32([]int{c}, slope...))
	mtWant(t, 16, mtNode("PRelu"), mtI64([]int{3}, -4, 0, 5), mtI64([]int{3}, -2, 0, 5), mtI64(nil, 2))

	mtWantErr(t, 16, mtNode("PRelu"), []string{"does not broadcast to X's shape"}, mtF32([]int{3}, 1, 2, 3), mtF32([]int{2, 1}, 1, 2))
	mtWantErr(t, 16, mtNode("PRelu"), []string{"cannot be broadcast"}, xt, mtF32([]int{c}, slope...))
	mtWantErr(t, 16, mtNode("PRelu"), []string{"X is float32 but slope is int64"}, xt, mtI64(nil, 1))
	mtWantErr(t, 16, mtNode("PRelu"), []string{"has 1 inputs, want 2"}, xt)
}
