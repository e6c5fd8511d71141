package ops

import "testing"

func TestMean(t *testing.T) {
	mtONNX(t, "test_mean_example", "test_mean_one_input", "test_mean_two_inputs")
	mtVariadicCommon(t, "Mean", func(a, b float32) float32 { return a + b })
	mtWantErr(t, 13, mtNode("Mean"), []string{"int32", "not supported"}, mtI32(nil, 1))
}
