package ops

import "testing"

func TestSum(t *testing.T) {
	mtONNX(t, "test_sum_example", "test_sum_one_input", "test_sum_two_inputs")
	mtVariadicCommon(t, "Sum", func(a, b float32) float32 { return a + b })
	mtWantErr(t, 13, mtNode("Sum"), []string{"int64", "not supported"}, mtI64(nil, 1))
}
