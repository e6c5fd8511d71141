package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// nnRefConvTranspose scatters every input value times the kernel into an
// output of the given spatial size, straight from the definition:
// Y[n, g*mg+m, i*s - padB + k*d] += X[n, g*cg+c, i] * W[g*cg+c, m, k].
func nnRefConvTranspose(x, w *tensor.Tensor, bias []float32, group int, s, d, padB, out []int) ([]float32, []int) {
	lift := func(v []int, fill int) [3]int {
		o := [3]int{fill, fill, fill}
		copy(o[3-len(v):], v)
		return o
	}
	in, k := lift(x.Shape[2:], 1), lift(w.Shape[2:], 1)
	ss, dd, pb, oo := lift(s, 1), lift(d, 1), lift(padB, 0), lift(out, 1)
	nb, c, mg := x.Shape[0], x.Shape[1], w.Shape[1]
	cg, m := c/group, mg*group
	ov := oo[0] * oo[1] * oo[2]
	y := make([]float64, nb*m*ov)
	for b := 0; b < nb; b++ {
		for oc := 0; oc < m; oc++ {
			if bias != nil {
				for i := 0; i < ov; i++ {
					y[(b*m+oc)*ov+i] = float64(bias[oc])
				}
			}
		}
		for ic := 0; ic < c; ic++ {
			g := ic / cg
			for mm := 0; mm < mg; mm++ {
				oc := g*mg + mm
				for i0 := 0; i0 < in[0]; i0++ {
					for i1 := 0; i1 < in[1]; i1++ {
						for i2 := 0; i2 < in[2]; i2++ {
							xv := float64(x.F32[(((b*c+ic)*in[0]+i0)*in[1]+i1)*in[2]+i2])
							for k0 := 0; k0 < k[0]; k0++ {
								for k1 := 0; k1 < k[1]; k1++ {
									for k2 := 0; k2 < k[2]; k2++ {
										o0 := i0*ss[0] - pb[0] + k0*dd[0]
										o1 := i1*ss[1] - pb[1] + k1*dd[1]
										o2 := i2*ss[2] - pb[2] + k2*dd[2]
										if o0 < 0 || o0 >= oo[0] || o1 < 0 || o1 >= oo[1] || o2 < 0 || o2 >= oo[2] {
											continue
										}
										wv := float64(w.F32[(((ic*mg+mm)*k[0]+k0)*k[1]+k1)*k[2]+k2])
										y[(b*m+oc)*ov+(o0*oo[1]+o1)*oo[2]+o2] += xv * wv
									}
								}
							}
						}
					}
				}
			}
		}
	}
	y32 := make([]float32, len(y))
	for i, v := range y {
		y32[i] = float32(v)
	}
	return y32, append([]int{nb, m}, out...)
}

func TestConvTransposeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for i := 0; i < 50; i++ {
		rank := 1 + r.IntN(2)
		if i%10 == 0 {
			rank = 3
		}
		group := 1 + r.IntN(3)
		cg, mg := 1+r.IntN(4), 1+r.IntN(4)
		var in, k, s, d, pads, opad, out []int
		for j := 0; j < rank; j++ {
			in = append(in, 1+r.IntN(7))
			k = append(k, 1+r.IntN(4))
			s = append(s, 1+r.IntN(3))
			d = append(d, 1+r.IntN(2))
			opad = append(opad, r.IntN(max(s[j], d[j])))
		}
		for j := 0; j < 2*rank; j++ {
			pads = append(pads, r.IntN(3))
		}
		for j := 0; j < rank; j++ {
			full := s[j]*(in[j]-1) + opad[j] + (k[j]-1)*d[j] + 1
			if full-pads[j]-pads[rank+j] < 1 {
				pads[j], pads[rank+j] = 0, 0
			}
			out = append(out, full-pads[j]-pads[rank+j])
		}
		x := nnRandTensor(r, append([]int{1 + r.IntN(2), cg * group}, in...)...)
		w := nnRandTensor(r, append([]int{cg * group, mg}, k...)...)
		ins := []*tensor.Tensor{x, w}
		var bias []float32
		if i%2 == 0 {
			bt := nnRandTensor(r, mg*group)
			bias, ins = bt.F32, append(ins, bt)
		}
		want, shape := nnRefConvTranspose(x, w, bias, group, s, d, pads[:rank], out)
		node := nnNode("ConvTranspose", nnAInt("group", group), nnAInts("strides", s...), nnAInts("dilations", d...),
			nnAInts("pads", pads...), nnAInts("output_padding", opad...))
		got := nnRunNaN(t, convTransposeKernel, 11, node, len(want), ins...)
		nnCompare(t, fmt.Sprintf("ConvTranspose x%v w%v %s", x.Shape, w.Shape, nnAttrString(node)), got[0], shape, want, 1e-4, 1e-4)
	}
}

func TestConvTransposeBanded(t *testing.T) {
	old := nnColBudget
	nnColBudget = 50
	defer func() { nnColBudget = old }()
	r := rand.New(rand.NewPCG(63, 64))
	x, w := nnRandTensor(r, 2, 4, 5, 6), nnRandTensor(r, 4, 3, 3, 2)
	want, shape := nnRefConvTranspose(x, w, nil, 2, []int{2, 1}, []int{1, 2}, []int{1, 0}, []int{10, 7})
	node := nnNode("ConvTranspose", nnAInt("group", 2), nnAInts("strides", 2, 1), nnAInts("dilations", 1, 2), nnAInts("pads", 1, 0, 0, 1))
	got := nnRunNaN(t, convTransposeKernel, 11, node, len(want), x, w)
	nnCompare(t, "banded", got[0], shape, want, 1e-4, 1e-4)
}

func TestConvTransposeONNX(t *testing.T) {
	for _, name := range []string{
		"test_convtranspose", "test_convtranspose_1d", "test_convtranspose_3d", "test_convtranspose_autopad_same",
		"test_convtranspose_dilations", "test_convtranspose_kernel_shape", "test_convtranspose_output_shape",
		"test_convtranspose_pad", "test_convtranspose_pads", "test_convtranspose_with_kernel",
	} {
		nnONNXCase(t, name, "")
	}
}

func TestConvTransposeErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(65, 66))
	x, w := nnRandTensor(r, 1, 4, 3, 3), nnRandTensor(r, 4, 2, 3, 3)
	in := []*tensor.Tensor{x, w}
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose", nnAInt("group", 3)), in, "group 3 must be >= 1 and divide X's 4 channels")
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose"), []*tensor.Tensor{x, nnRandTensor(r, 3, 2, 3, 3)}, "3 input channels, want 4")
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose", nnAInts("output_shape", 5)), in, "output_shape has 1 values, want 2")
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose", nnAInts("output_padding", 1)), in, "output_padding has 1 values, want 2")
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose", nnAInts("pads", 3, 0, 3, 0)), in, "output size -1")
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose", nnAInt("group", 2)), []*tensor.Tensor{x, w, nnRandTensor(r, 2)}, "B is float32[2], want float32[4]")
	nnWantErr(t, convTransposeKernel, nnNode("ConvTranspose", nnAInts("kernel_shape", 2, 2)), in, "does not match the weights")
}
