package ops

import (
	"testing"
)

func TestConstantOfShape(t *testing.T) {
	mtONNX(t, "test_constantofshape_float_ones", "test_constantofshape_int_shape_zero", "test_constantofshape_int_zeros")
	mtWant(t, 9, mtNode("ConstantOfShape"), mtF32([]int{2, 3}, 0, 0, 0, 0, 0, 0), mtI64([]int{2}, 2, 3))
	mtWant(t, 9, mtNode("ConstantOfShape", mtATensor("value", mtI32([]int{1}, 7))), mtI32([]int{3}, 7, 7, 7), mtI64([]int{1}, 3))
	mtWant(t, 9, mtNode("ConstantOfShape", mtATensor("value", mtBool([]int{1}, true))), mtBool([]int{2}, true, true), mtI64([]int{1}, 2))
	mtWant(t, 9, mtNode("ConstantOfShape", mtATensor("value", mtF32([]int{1}, 2))), mtF32(nil, 2), mtI64([]int{0}))
	mtWant(t, 9, mtNode("ConstantOfShape"), mtF32([]int{4, 0}), mtI64([]int{2}, 4, 0))

	mtWantErr(t, 9, mtNode("ConstantOfShape"), []string{"dim 1 = -1"}, mtI64([]int{2}, 2, -1))
	mtWantErr(t, 9, mtNode("ConstantOfShape"), []string{"more than"}, mtI64([]int{2}, 1<<20, 1<<20))
	mtWantErr(t, 9, mtNode("ConstantOfShape"), []string{"want a 1-D int64 tensor"}, mtI32([]int{1}, 2))
	mtWantErr(t, 9, mtNode("ConstantOfShape", mtATensor("value", mtF32([]int{2}, 1, 2))), []string{"want one element"}, mtI64([]int{1}, 2))
	mtWantErr(t, 9, mtNode("ConstantOfShape", mtAFloat("value", 1)), []string{"want a tensor"}, mtI64([]int{1}, 2))
}
