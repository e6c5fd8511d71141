package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// nnRefPool is MaxPool/AveragePool as a plain loop over every output
// position and tap, for 1 to 3 spatial dims with explicit pads and output
// sizes (out, given by the caller from the spec's formula).
func nnRefPool(x *tensor.Tensor, k, s, d, pads, out []int, isMax, includePad bool) []float32 {
	r := len(k)
	lift := func(v []int) [3]int {
		o := [3]int{1, 1, 1}
		copy(o[3-len(v):], v)
		return o
	}
	in, kk, ss, dd, oo := lift(x.Shape[2:]), lift(k), lift(s), lift(d), lift(out)
	var pb, pe [3]int
	copy(pb[3-r:], pads[:r])
	copy(pe[3-r:], pads[r:])
	planes := x.Shape[0] * x.Shape[1]
	var y []float32
	for p := 0; p < planes; p++ {
		for o0 := 0; o0 < oo[0]; o0++ {
			for o1 := 0; o1 < oo[1]; o1++ {
				for o2 := 0; o2 < oo[2]; o2++ {
					best, sum, cnt := math.Inf(-1), 0.0, 0
					o := [3]int{o0, o1, o2}
					for k0 := 0; k0 < kk[0]; k0++ {
						for k1 := 0; k1 < kk[1]; k1++ {
							for k2 := 0; k2 < kk[2]; k2++ {
								kv := [3]int{k0, k1, k2}
								inside, padded := true, true
								var pos [3]int
								for j := 0; j < 3; j++ {
									pos[j] = o[j]*ss[j] - pb[j] + kv[j]*dd[j]
									if pos[j] < 0 || pos[j] >= in[j] {
										inside = false
									}
									if pos[j] < -pb[j] || pos[j] >= in[j]+pe[j] {
										padded = false
									}
								}
								if includePad && padded || !includePad && inside {
									cnt++
								}
								if inside {
									v := float64(x.F32[((p*in[0]+pos[0])*in[1]+pos[1])*in[2]+pos[2]])
									best = math.Max(best, v)
									sum += v
								}
							}
						}
					}
					if isMax {
						y = append(y, float32(best))
					} else {
						y = append(y, float32(sum/float64(cnt)))
					}
				}
			}
		}
	}
	return y
}

func TestPoolRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for i := 0; i < 80; i++ {
		rank := 1 + r.IntN(3)
		var k, s, d, pads, in, out []int
		for j := 0; j < rank; j++ {
			k = append(k, 1+r.IntN(4))
			s = append(s, 1+r.IntN(3))
			d = append(d, 1+r.IntN(2))
		}
		for j := 0; j < 2*rank; j++ {
			pads = append(pads, r.IntN(k[j%rank])) // pads smaller than the kernel
		}
		ceil := r.IntN(2) == 1
		for j := 0; j < rank; j++ {
			ek := (k[j]-1)*d[j] + 1
			in = append(in, max(1, ek-pads[j]-pads[rank+j])+r.IntN(9))
			span := in[j] + pads[j] + pads[rank+j] - ek
			o := span/s[j] + 1
			if ceil && span%s[j] != 0 {
				o++
				// The spec's rule: a last window starting in the end
				// padding is dropped.
				if (o-1)*s[j] >= in[j]+pads[j] {
					o--
				}
			}
			out = append(out, o)
		}
		x := nnRandTensor(r, append([]int{1 + r.IntN(2), 1 + r.IntN(3)}, in...)...)
		isMax, cip := r.IntN(2) == 1, r.IntN(2)
		op, kern := "MaxPool", maxPoolKernel
		if !isMax {
			op, kern = "AveragePool", averagePoolKernel
		}
		node := nnNode(op, nnAInts("kernel_shape", k...), nnAInts("strides", s...), nnAInts("pads", pads...),
			nnAInt("ceil_mode", map[bool]int{false: 0, true: 1}[ceil]), nnAInts("dilations", d...))
		if !isMax {
			node.SetAttr(nnAInt("count_include_pad", cip))
		}
		want := nnRefPool(x, k, s, d, pads, out, isMax, cip == 1)
		got := nnRunNaN(t, kern, 19, node, len(want), x)
		nnCompare(t, fmt.Sprintf("%s x%v %s", op, x.Shape, nnAttrString(node)), got[0],
			append([]int{x.Shape[0], x.Shape[1]}, out...), want, 1e-5, 1e-6)
	}
}

func TestPoolAutoPad(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	x := nnRandTensor(r, 1, 2, 7, 6)
	// out = ceil(in/s); total = (out-1)*s + k - in; H: 7, s2, k3 -> out 4,
	// total 2; W: 6, s2, k2 -> out 3, total 0.
	for _, tc := range []struct {
		autoPad string
		pads    []int
		out     []int
	}{
		{"SAME_UPPER", []int{1, 0, 1, 0}, []int{4, 3}},
		{"SAME_LOWER", []int{1, 0, 1, 0}, []int{4, 3}},
		{"VALID", []int{0, 0, 0, 0}, []int{3, 3}},
	} {
		for _, op := range []string{"MaxPool", "AveragePool"} {
			kern := maxPoolKernel
			if op == "AveragePool" {
				kern = averagePoolKernel
			}
			want := nnRefPool(x, []int{3, 2}, []int{2, 2}, []int{1, 1}, tc.pads, tc.out, op == "MaxPool", false)
			node := nnNode(op, nnAStr("auto_pad", tc.autoPad), nnAInts("kernel_shape", 3, 2), nnAInts("strides", 2, 2))
			got := nnRunNaN(t, kern, 11, node, len(want), x)
			nnCompare(t, op+" "+tc.autoPad, got[0], append([]int{1, 2}, tc.out...), want, 1e-5, 1e-6)
		}
	}
	// SAME with stride 1 and an even kernel: the odd pad goes at the end
	// (UPPER) or the beginning (LOWER).
	x1 := tensor.FromFloat32([]float32{1, 2, 3, 4}, 1, 1, 4)
	for _, tc := range []struct {
		autoPad string
		want    []float32
	}{{"SAME_UPPER", []float32{1.5, 2.5, 3.5, 4}}, {"SAME_LOWER", []float32{1, 1.5, 2.5, 3.5}}} {
		got := nnRunNaN(t, averagePoolKernel, 11, nnNode("AveragePool", nnAStr("auto_pad", tc.autoPad), nnAInts("kernel_shape", 2)), 4, x1)
		nnCompare(t, tc.autoPad, got[0], []int{1, 1, 4}, tc.want, 0, 0)
	}
}

func TestPoolONNX(t *testing.T) {
	for _, name := range []string{
		"test_averagepool_1d_default", "test_averagepool_2d_ceil", "test_averagepool_2d_default",
		"test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
		"test_averagepool_2d_precomputed_pads", "test_averagepool_2d_precomputed_pads_count_include_pad",
		"test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides",
		"test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper", "test_averagepool_2d_strides",
		"test_averagepool_3d_default",
		"test_maxpool_1d_default", "test_maxpool_2d_ceil", "test_maxpool_2d_default", "test_maxpool_2d_dilations",
		"test_maxpool_2d_pads", "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper",
		"test_maxpool_2d_precomputed_strides", "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper",
		"test_maxpool_2d_strides", "test_maxpool_3d_default",
		"test_globalaveragepool", "test_globalaveragepool_precomputed", "test_globalmaxpool",
		"test_globalmaxpool_precomputed",
	} {
		nnONNXCase(t, name, "")
	}
	// Refused on purpose: Indices output, uint8 input.
	nnONNXCase(t, "test_maxpool_with_argmax_2d_precomputed_pads", "Indices output is not supported")
	nnONNXCase(t, "test_maxpool_2d_uint8", "is uint8, want float32")
}

func TestGlobalPool(t *testing.T) {
	x := tensor.FromFloat32([]float32{1, 2, 3, 4, -5, -6, -7, -8, 9, 10, 11, 12}, 1, 3, 2, 2)
	got := nnRunNaN(t, globalAveragePoolKernel, 13, nnNode("GlobalAveragePool"), 3, x)
	nnCompare(t, "GlobalAveragePool", got[0], []int{1, 3, 1, 1}, []float32{2.5, -6.5, 10.5}, 0, 0)
	got = nnRunNaN(t, globalMaxPoolKernel, 13, nnNode("GlobalMaxPool"), 3, x)
	nnCompare(t, "GlobalMaxPool", got[0], []int{1, 3, 1, 1}, []float32{4, -5, 12}, 0, 0)
	x1 := tensor.FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 2, 1, 3)
	got = nnRunNaN(t, globalAveragePoolKernel, 13, nnNode("GlobalAveragePool"), 2, x1)
	nnCompare(t, "GlobalAveragePool 1-D", got[0], []int{2, 1, 1}, []float32{2, 5}, 0, 0)
}

func TestPoolErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	x := nnRandTensor(r, 1, 2, 5, 5)
	in := []*tensor.Tensor{x}
	nnWantErr(t, maxPoolKernel, nnNode("MaxPool"), in, "kernel_shape is required")
	nnWantErr(t, maxPoolKernel, nnNode("MaxPool", nnAInts("kernel_shape", 3)), in, "kernel_shape has 1 values, want 2")
	nnWantErr(t, maxPoolKernel, nnNode("MaxPool", nnAInts("kernel_shape", 3, 3), nnAInts("pads", 3, 0, 0, 0)), in, "smaller than the (dilated) kernel")
	nnWantErr(t, maxPoolKernel, nnNode("MaxPool", nnAInts("kernel_shape", 6, 3)), in, "smaller than the dilated kernel 6")
	nnWantErr(t, averagePoolKernel, nnNode("AveragePool", nnAInts("kernel_shape", 2, 2), nnAInt("ceil_mode", 2)), in, "ceil_mode = 2")
	nnWantErr(t, averagePoolKernel, nnNode("AveragePool", nnAInts("kernel_shape", 2, 2), nnAInt("count_include_pad", 3)), in, "count_include_pad = 3")
	nnWantErr(t, averagePoolKernel, nnNode("AveragePool", nnAInts("kernel_shape", 2, 2), nnAInt("storage_order", 0)), in, "unknown attribute \"storage_order\"")
	nnWantErr(t, averagePoolKernel, nnNode("AveragePool", nnAInts("kernel_shape", 2, 2)), []*tensor.Tensor{nnRandTensor(r, 2, 3)}, "want rank >= 3")
	nnWantErr(t, globalMaxPoolKernel, nnNode("GlobalMaxPool"), []*tensor.Tensor{nnRandTensor(r, 2, 3)}, "want rank >= 3")
	nnWantErr(t, globalAveragePoolKernel, nnNode("GlobalAveragePool"), []*tensor.Tensor{x, x}, "has 2 inputs, want 1")
	mp := nnNode("MaxPool", nnAInts("kernel_shape", 2, 2))
	mp.Outputs = []string{"y", "idx"}
	nnWantErr(t, maxPoolKernel, mp, in, "Indices output is not supported")
}
