package ops

import (
	"math"
	"testing"

	"fixq/core/tensor"
)

// mtSoftmaxRef normalises x in groups: element i belongs to group
// (i/(size*inner), i%inner) and the groups are independent.
func mtSoftmaxRef(x []float32, outer, size, inner int, log bool) []float32 {
	out := make([]float32, len(x))
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			at := func(j int) int { return (o*size+j)*inner + in }
			m := math.Inf(-1)
			for j := 0; j < size; j++ {
				m = math.Max(m, float64(x[at(j)]))
			}
			var s float64
			for j := 0; j < size; j++ {
				s += math.Exp(float64(x[at(j)]) - m)
			}
			for j := 0; j < size; j++ {
				v := float64(x[at(j)])
				if log {
					out[at(j)] = float32(v - m - math.Log(s))
				} else {
					out[at(j)] = float32(math.Exp(v-m) / s)
				}
			}
		}
	}
	return out
}

func TestSoftmax(t *testing.T) {
	mtONNX(t, "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2",
		"test_softmax_default_axis", "test_softmax_example", "test_softmax_large_number",
		"test_softmax_negative_axis")
	mtONNX(t, "test_softmax_axis_0_expanded", "test_softmax_axis_1_expanded", "test_softmax_axis_2_expanded",
		"test_softmax_default_axis_expanded", "test_softmax_example_expanded",
		"test_softmax_large_number_expanded", "test_softmax_negative_axis_expanded")
	mtSoftmaxCases(t, "Softmax", false)
}

// mtSoftmaxCases checks Softmax or LogSoftmax on a [2,3,4,5] input for
// both axis semantics against mtSoftmaxRef.
func mtSoftmaxCases(t *testing.T, op string, log bool) {
	shape := []int{2, 3, 4, 5}
	x := make([]float32, 2*3*4*5)
	for i := range x {
		x[i] = float32((i*37)%23)/4 - 2
	}
	xt := tensor.FromFloat32(x, shape...)
	prod := func(s []int) int {
		p := 1
		for _, d := range s {
			p *= d
		}
		return p
	}
	for axis := -4; axis < 4; axis++ {
		a := (axis + 4) % 4
		// Opset 13: over the one axis.
		want := mtSoftmaxRef(x, prod(shape[:a]), shape[a], prod(shape[a+1:]), log)
		mtWant(t, 13, mtNode(op, mtAInt("axis", int64(axis))), tensor.FromFloat32(want, shape...), xt)
		// Opset 11: over the trailing dims coerced to one.
		want = mtSoftmaxRef(x, prod(shape[:a]), prod(shape[a:]), 1, log)
		mtWant(t, 11, mtNode(op, mtAInt("axis", int64(axis))), tensor.FromFloat32(want, shape...), xt)
	}
	// Defaults: axis -1 from opset 13, axis 1 (coerced) before.
	mtWant(t, 13, mtNode(op), tensor.FromFloat32(mtSoftmaxRef(x, 24, 5, 1, log), shape...), xt)
	mtWant(t, 12, mtNode(op), tensor.FromFloat32(mtSoftmaxRef(x, 2, 60, 1, log), shape...), xt)
	// Large equal logits must not overflow.
	big := mtF32([]int{3}, 1e30, 1e30, 1e30)
	want := mtSoftmaxRef(big.F32, 1, 3, 1, log)
	mtWant(t, 13, mtNode(op), mtF32([]int{3}, want...), big)

	mtWantErr(t, 13, mtNode(op, mtAInt("axis", 4)), []string{"axis 4 is out of range for rank 4"}, xt)
	mtWantErr(t, 13, mtNode(op, mtAInt("axis", -5)), []string{"out of range"}, xt)
	mtWantErr(t, 13, mtNode(op), []string{"int64"}, mtI64([]int{1}, 1))
	mtWantErr(t, 13, mtNode(op, mtAFloat("axis", 1)), []string{"axis"}, xt)
}
