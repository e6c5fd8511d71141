package ops

import (
	"testing"

	"fixq/core/graph"
)

func TestConstant(t *testing.T) {
	mtONNX(t, "test_constant")
	v := mtF32([]int{2, 2}, 1, 2, 3, 4)
	n := mtNode("Constant", mtATensor("value", v))
	got := mtRun(t, 13, n)
	if err := mtDiff(got, v, 0, 0); err != nil {
		t.Fatal(err)
	}
	// The output is a copy: recycling or changing it leaves the attribute.
	got.F32[0] = 99
	if v.F32[0] != 1 {
		t.Fatal("Constant returned its attribute's storage")
	}
	iv := mtI64([]int{2}, 5, 6)
	mtWant(t, 13, mtNode("Constant", mtATensor("value", iv)), iv)
	if g := mtRun(t, 13, mtNode("Constant", mtATensor("value", iv))); &g.I64[0] == &iv.I64[0] {
		t.Fatal("Constant returned its attribute's storage")
	}
	mtWant(t, 13, mtNode("Constant", mtAFloat("value_float", 2.5)), mtF32(nil, 2.5))
	mtWant(t, 13, mtNode("Constant", mtAFloats("value_floats", 1, 2)), mtF32([]int{2}, 1, 2))
	mtWant(t, 13, mtNode("Constant", mtAInt("value_int", -3)), mtI64(nil, -3))
	mtWant(t, 13, mtNode("Constant", mtAInts("value_ints", 1, 2, 3)), mtI64([]int{3}, 1, 2, 3))

	mtWantErr(t, 13, mtNode("Constant"), []string{"has 0 attributes"})
	mtWantErr(t, 13, mtNode("Constant", mtAInt("value_int", 1), mtAFloat("value_float", 1)), []string{"has 2 attributes"})
	mtWantErr(t, 13, mtNode("Constant", &graph.Attr{Name: "value_string", Type: graph.AttrString, S: "x"}), []string{"value_string", "not supported"})
	mtWantErr(t, 13, mtNode("Constant", mtAInt("value", 1)), []string{"attribute value of type int is not supported"})
	mtWantErr(t, 13, mtNode("Constant", mtATensor("value", mtF32([]int{3}, 1))), []string{"value", "wants 3 elements"})
	mtWantErr(t, 13, mtNode("Constant", mtATensor("value", v)), []string{"has 1 inputs, want none"}, v)
}
