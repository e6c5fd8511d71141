package ops

import "testing"

func TestHardSigmoid(t *testing.T) {
	mtONNX(t, "test_hardsigmoid", "test_hardsigmoid_default", "test_hardsigmoid_example")
	// max(0, min(1, 0.2x + 0.5))
	mtWant(t, 6, mtNode("HardSigmoid"), mtF32([]int{5}, 0, 0, 0.5, 0.9, 1),
		mtF32([]int{5}, -10, -2.5, 0, 2, 10))
	mtWant(t, 6, mtNode("HardSigmoid", mtAFloat("alpha", 1), mtAFloat("beta", 0)),
		mtF32([]int{3}, 0, 0.25, 1), mtF32([]int{3}, -1, 0.25, 2))
	mtWantErr(t, 6, mtNode("HardSigmoid", mtAFloat("gamma", 1)), []string{"gamma"}, mtF32([]int{1}, 1))
}
