package ops

import "testing"

func TestFlattenAxes(t *testing.T) {
	x := shapeF32Seq(2, 3, 4)
	for _, c := range []struct {
		axis int64
		want []int
	}{{0, []int{1, 24}}, {1, []int{2, 12}}, {-1, []int{6, 4}}, {3, []int{24, 1}}, {-3, []int{1, 24}}} {
		got := shapeRun(t, 13, shapeNode("Flatten", 1, shapeAInt("axis", c.axis)), x)[0]
		shapeWantF32(t, "flatten", got, c.want, x.F32, 0)
	}
	shapeWantErr(t, 13, shapeNode("Flatten", 1, shapeAInt("axis", 4)), "out of range", x)
	shapeWantErr(t, 13, shapeNode("Flatten", 1, shapeAInt("axis", -4)), "out of range", x)
}
