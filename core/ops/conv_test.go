package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// nnRefConv is the plain Conv loop straight from the ONNX definition, for
// 1 to 3 spatial dims, with explicit pads (begin..., end...).
func nnRefConv(x, w *tensor.Tensor, bias []float32, group int, strides, dil, pads []int) ([]float32, []int) {
	r := x.Rank() - 2
	// Lift to three spatial dims.
	lift := func(v []int, fill int) [3]int {
		out := [3]int{fill, fill, fill}
		copy(out[3-len(v):], v)
		return out
	}
	in, k := lift(x.Shape[2:], 1), lift(w.Shape[2:], 1)
	s, d := lift(strides, 1), lift(dil, 1)
	pb, pe := lift(pads[:r], 0), lift(pads[r:], 0)
	var out [3]int
	for i := 0; i < 3; i++ {
		out[i] = (in[i]+pb[i]+pe[i]-((k[i]-1)*d[i]+1))/s[i] + 1
	}
	nb, c, m := x.Shape[0], x.Shape[1], w.Shape[0]
	cg, mg := c/group, m/group
	shape := append([]int{nb, m}, out[3-r:]...)
	y := make([]float32, nb*m*out[0]*out[1]*out[2])
	yi := 0
	for b := 0; b < nb; b++ {
		for oc := 0; oc < m; oc++ {
			g := oc / mg
			for o0 := 0; o0 < out[0]; o0++ {
				for o1 := 0; o1 < out[1]; o1++ {
					for o2 := 0; o2 < out[2]; o2++ {
						var sum float64
						if bias != nil {
							sum = float64(bias[oc])
						}
						for ic := 0; ic < cg; ic++ {
							for k0 := 0; k0 < k[0]; k0++ {
								for k1 := 0; k1 < k[1]; k1++ {
									for k2 := 0; k2 < k[2]; k2++ {
										i0 := o0*s[0] - pb[0] + k0*d[0]
										i1 := o1*s[1] - pb[1] + k1*d[1]
										i2 := o2*s[2] - pb[2] + k2*d[2]
										if i0 < 0 || i0 >= in[0] || i1 < 0 || i1 >= in[1] || i2 < 0 || i2 >= in[2] {
											continue
										}
										xv := x.F32[(((b*c+g*cg+ic)*in[0]+i0)*in[1]+i1)*in[2]+i2]
										wv := w.F32[(((oc*cg+ic)*k[0]+k0)*k[1]+k1)*k[2]+k2]
										sum += float64(xv) * float64(wv)
									}
								}
							}
						}
						y[yi] = float32(sum)
						yi++
					}
				}
			}
		}
	}
	return y, shape
}

type nnConvCase struct {
	n, c, m, group int
	in, k          []int
	strides, dil   []int
	pads           []int
	bias           bool
}

func (cs nnConvCase) String() string {
	return fmt.Sprintf("N%d C%d M%d g%d in%v k%v s%v d%v p%v bias=%v", cs.n, cs.c, cs.m, cs.group, cs.in, cs.k, cs.strides, cs.dil, cs.pads, cs.bias)
}

func nnRunConvCase(t *testing.T, r *rand.Rand, cs nnConvCase) {
	t.Helper()
	x := nnRandTensor(r, append([]int{cs.n, cs.c}, cs.in...)...)
	w := nnRandTensor(r, append([]int{cs.m, cs.c / cs.group}, cs.k...)...)
	in := []*tensor.Tensor{x, w}
	var bias []float32
	if cs.bias {
		bt := nnRandTensor(r, cs.m)
		bias = bt.F32
		in = append(in, bt)
	}
	want, shape := nnRefConv(x, w, bias, cs.group, cs.strides, cs.dil, cs.pads)
	node := nnNode("Conv", nnAInt("group", cs.group), nnAInts("strides", cs.strides...),
		nnAInts("dilations", cs.dil...), nnAInts("pads", cs.pads...), nnAInts("kernel_shape", cs.k...))
	out := nnRunNaN(t, convKernel, 17, node, len(want), in...)
	nnCompare(t, cs.String(), out[0], shape, want, 1e-4, 1e-4)
}

func TestConvRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fixed := []nnConvCase{
		{1, 3, 5, 1, []int{7, 9}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1}, true},
		{2, 4, 6, 2, []int{6, 5}, []int{3, 2}, []int{2, 1}, []int{1, 2}, []int{0, 1, 2, 0}, true},
		{2, 8, 8, 8, []int{9, 10}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1}, false},                 // depthwise
		{1, 4, 12, 4, []int{11, 7}, []int{5, 3}, []int{2, 3}, []int{2, 1}, []int{2, 1, 3, 0}, true},                 // depthwise x3
		{2, 16, 24, 1, []int{13, 11}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{0, 0, 0, 0}, true},               // pointwise
		{1, 6, 4, 2, []int{8, 8}, []int{1, 1}, []int{2, 2}, []int{1, 1}, []int{0, 0, 0, 0}, false},                  // 1x1 strided
		{1, 6, 4, 1, []int{8, 8}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 0, 0, 1}, false},                  // 1x1 padded
		{2, 3, 5, 1, []int{17}, []int{4}, []int{2}, []int{1}, []int{1, 2}, true},                                    // 1-D
		{1, 5, 5, 5, []int{20}, []int{3}, []int{1}, []int{3}, []int{3, 3}, true},                                    // 1-D depthwise
		{1, 2, 3, 1, []int{5, 6, 7}, []int{2, 3, 2}, []int{1, 2, 1}, []int{2, 1, 1}, []int{1, 0, 1, 0, 1, 1}, true}, // 3-D
		{1, 1, 32, 1, []int{28, 28}, []int{5, 5}, []int{1, 1}, []int{1, 1}, []int{2, 2, 2, 2}, true},                // MNIST first layer
		{1, 3, 2, 1, []int{4, 4}, []int{5, 5}, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1}, false},                  // kernel larger than input
		{1, 20, 7, 1, []int{9, 300}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1}, true},                // wide, odd
	}
	for _, cs := range fixed {
		nnRunConvCase(t, r, cs)
	}
	for i := 0; i < 60; i++ {
		rank := 1 + r.IntN(2)
		if i%15 == 0 {
			rank = 3
		}
		cs := nnConvCase{n: 1 + r.IntN(2), bias: r.IntN(2) == 0}
		switch r.IntN(3) {
		case 0:
			cs.group = 1
		case 1:
			cs.group = 1 + r.IntN(3)
		default:
			cs.group = 0 // depthwise, below
		}
		if cs.group == 0 {
			cs.c = 1 + r.IntN(6)
			cs.group = cs.c
			cs.m = cs.c * (1 + r.IntN(2))
		} else {
			cs.c = cs.group * (1 + r.IntN(5))
			cs.m = cs.group * (1 + r.IntN(5))
		}
		for j := 0; j < rank; j++ {
			cs.k = append(cs.k, 1+r.IntN(4))
			cs.dil = append(cs.dil, 1+r.IntN(2))
			cs.strides = append(cs.strides, 1+r.IntN(3))
		}
		for j := 0; j < 2*rank; j++ {
			cs.pads = append(cs.pads, r.IntN(3))
		}
		for j := 0; j < rank; j++ {
			// Keep the dilated kernel inside the padded input.
			ek := (cs.k[j]-1)*cs.dil[j] + 1
			cs.in = append(cs.in, max(1, ek-cs.pads[j]-cs.pads[rank+j])+r.IntN(12))
		}
		nnRunConvCase(t, r, cs)
	}
}

// TestConvBanded forces the im2col matrix into several bands.
func TestConvBanded(t *testing.T) {
	old := nnColBudget
	nnColBudget = 200
	defer func() { nnColBudget = old }()
	r := rand.New(rand.NewPCG(7, 8))
	for _, cs := range []nnConvCase{
		{2, 4, 6, 2, []int{9, 11}, []int{3, 3}, []int{1, 2}, []int{1, 1}, []int{1, 1, 1, 1}, true},
		{1, 3, 4, 1, []int{5, 6, 7}, []int{2, 2, 2}, []int{1, 1, 1}, []int{1, 1, 1}, []int{0, 1, 0, 1, 0, 1}, true},
		{1, 64, 3, 1, []int{4, 4}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1}, false}, // one row > budget
	} {
		nnRunConvCase(t, r, cs)
	}
}

func TestConvAutoPad(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := nnRandTensor(r, 1, 2, 7, 8)
	w := nnRandTensor(r, 3, 2, 3, 2)
	// Independent pads from the spec: out = ceil(in/s), total =
	// (out-1)*s + (k-1)*d + 1 - in; SAME_UPPER puts the odd one at the end.
	for _, tc := range []struct {
		autoPad string
		strides []int
		pads    []int
	}{
		// H: in 7, s 2, k 3 -> out 4, total 2. W: in 8, s 3, k 2 -> out 3, total 0... (3-1)*3+2-8 = 0.
		{"SAME_UPPER", []int{2, 3}, []int{1, 0, 1, 0}},
		{"SAME_LOWER", []int{2, 3}, []int{1, 0, 1, 0}},
		// H: in 7, s 1, k 3 -> total 2; W: in 8, s 1, k 2 -> total 1.
		{"SAME_UPPER", []int{1, 1}, []int{1, 0, 1, 1}},
		{"SAME_LOWER", []int{1, 1}, []int{1, 1, 1, 0}},
		{"VALID", []int{2, 3}, []int{0, 0, 0, 0}},
	} {
		want, shape := nnRefConv(x, w, nil, 1, tc.strides, []int{1, 1}, tc.pads)
		node := nnNode("Conv", nnAStr("auto_pad", tc.autoPad), nnAInts("strides", tc.strides...))
		out := nnRunNaN(t, convKernel, 17, node, len(want), x, w)
		nnCompare(t, tc.autoPad, out[0], shape, want, 1e-4, 1e-4)
	}
}

func TestConvONNX(t *testing.T) {
	for _, name := range []string{
		"test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_autopad_same",
		"test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding",
		"test_conv_with_strides_padding",
	} {
		nnONNXCase(t, name, "")
	}
}

func TestConvErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := nnRandTensor(r, 1, 4, 5, 5)
	w := nnRandTensor(r, 6, 2, 3, 3)
	in := []*tensor.Tensor{x, w}
	nnWantErr(t, convKernel, nnNode("Conv", nnAInts("kernel_shape", 3), nnAInt("group", 2)), in, "kernel_shape has 1 values, want 2")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInts("kernel_shape", 3, 2), nnAInt("group", 2)), in, "kernel_shape")
	nnWantErr(t, convKernel, nnNode("Conv"), in, "W has shape [6 2 3 3]: 2 input channels per group, want 4")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 3)), in, "group 3")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 0)), in, "group 0")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2), nnAInts("strides", 1, 0)), in, "strides[1] = 0")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2), nnAInts("pads", 1, 1)), in, "pads has 2 values, want 4")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2), nnAStr("auto_pad", "SAME")), in, "auto_pad \"SAME\"")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2), nnAInts("dilations", 3, 3)), in, "smaller than the dilated kernel")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2), nnAInt("foo", 1)), in, "unknown attribute \"foo\"")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2)), []*tensor.Tensor{x, w, nnRandTensor(r, 5)}, "B is float32[5], want float32[6]")
	nnWantErr(t, convKernel, nnNode("Conv", nnAInt("group", 2)), []*tensor.Tensor{x, nnRandTensor(r, 6, 2, 3)}, "W has shape [6 2 3], want rank 4")
	nnWantErr(t, convKernel, nnNode("Conv"), []*tensor.Tensor{x}, "has 1 inputs")
	nnWantErr(t, convKernel, nnNode("Conv"), []*tensor.Tensor{nnRandTensor(r, 1, 1, 2, 2, 2, 2), nnRandTensor(r, 1, 1, 1, 1, 1, 1)}, "4 spatial dims")
	nnWantErr(t, convKernel, nnNode("Conv"), []*tensor.Tensor{tensor.FromInt64([]int64{1, 2, 3, 4}, 1, 1, 2, 2), nnRandTensor(r, 1, 1, 1, 1)}, "input 0 (X) is int64")
}
