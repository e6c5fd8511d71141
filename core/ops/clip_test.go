package ops

import (
	"math"
	"testing"
)

func TestClip(t *testing.T) {
	mtONNX(t, "test_clip", "test_clip_default_inbounds", "test_clip_default_int8_inbounds",
		"test_clip_default_int8_max", "test_clip_default_int8_min", "test_clip_default_max",
		"test_clip_default_min", "test_clip_example", "test_clip_inbounds", "test_clip_outbounds",
		"test_clip_splitbounds")
	x := mtF32([]int{5}, -3, -1, 0, 1, 3)
	// Opset 6: bounds are attributes, defaulting to the float range.
	mtWant(t, 6, mtNode("Clip", mtAFloat("min", -1), mtAFloat("max", 2)), mtF32([]int{5}, -1, -1, 0, 1, 2), x)
	mtWant(t, 6, mtNode("Clip", mtAFloat("max", 0)), mtF32([]int{5}, -3, -1, 0, 0, 0), x)
	mtWant(t, 6, mtNode("Clip"), x, x)
	// Opset 11+: optional inputs; min > max gives max everywhere.
	mtWant(t, 13, mtNode("Clip"), mtF32([]int{5}, 0.5, 0.5, 0.5, 0.5, 0.5), x, mtF32(nil, 2), mtF32(nil, 0.5))
	mtWant(t, 13, mtNode("Clip"), mtF32([]int{5}, -3, -1, 0, 0.5, 0.5), x, nil, mtF32([]int{1}, 0.5))
	mtWant(t, 13, mtNode("Clip"), mtI64([]int{3}, -5, 0, math.MaxInt64), mtI64([]int{3}, -9, 0, math.MaxInt64), mtI64(nil, -5))
	mtWant(t, 13, mtNode("Clip"), mtU8([]int{3}, 10, 10, 200), mtU8([]int{3}, 0, 10, 255), mtU8(nil, 10), mtU8(nil, 200))
	mtWant(t, 13, mtNode("Clip"), mtI32([]int{2}, -1, 1), mtI32([]int{2}, -7, 7), mtI32(nil, -1), mtI32(nil, 1))

	mtWantErr(t, 13, mtNode("Clip"), []string{"min is int64, want float32"}, x, mtI64(nil, 0))
	mtWantErr(t, 13, mtNode("Clip"), []string{"max has shape [2], want a scalar"}, x, nil, mtF32([]int{2}, 1, 2))
	mtWantErr(t, 13, mtNode("Clip", mtAFloat("min", 0)), []string{`unsupported attribute "min"`}, x)
	mtWantErr(t, 6, mtNode("Clip"), []string{"int64", "float32 only"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Clip"), []string{"bool"}, mtBool([]int{1}, true))
}
