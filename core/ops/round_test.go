package ops

import (
	"math"
	"testing"
)

func TestRound(t *testing.T) {
	mtONNX(t, "test_round")
	mtUnaryRef(t, "Round", 13, math.RoundToEven, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.4)
	mtWantErr(t, 13, mtNode("Round"), []string{"int64", "not supported"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode("Round"), []string{"has 0 inputs"})
}
