package ops

import (
	"math"
	"testing"
)

func TestFloor(t *testing.T) {
	mtONNX(t, "test_floor", "test_floor_example")
	mtUnaryRef(t, "Floor", 13, math.Floor, -1.5, -0.5, 0, 0.5, 1.5, 2, 1e20)
	mtWantErr(t, 13, mtNode("Floor"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Floor"), []string{"has 0 inputs"})
}
