package ops

import "testing"

func TestLeakyRelu(t *testing.T) {
	mtONNX(t, "test_leakyrelu", "test_leakyrelu_default", "test_leakyrelu_example")
	x := mtF32([]int{4}, -2, -0.5, 0, 3)
	mtWant(t, 16, mtNode("LeakyRelu"), mtF32([]int{4}, -0.02, -0.005, 0, 3), x)
	mtWant(t, 16, mtNode("LeakyRelu", mtAFloat("alpha", 0.5)), mtF32([]int{4}, -1, -0.25, 0, 3), x)
	mtWantErr(t, 16, mtNode("LeakyRelu", mtAInt("alpha", 1)), []string{"alpha"}, x)
	mtWantErr(t, 16, mtNode("LeakyRelu"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
}
