package ops

import (
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// BenchmarkConvOCR runs Conv on the layer shapes that dominate the
// PaddleOCR cls model (MobileNetV3-small at 48x192: depthwise 5x5 and
// pointwise convs on 2- and 3-row planes), where the pure Go kernels
// (wasm) spend most of their time.
func BenchmarkConvOCR(b *testing.B) {
	for _, bc := range []struct {
		name        string
		c, m, group int
		h, w, k     int
		sh, sw      int
	}{
		{"dw5x5_200_2x96", 200, 200, 200, 2, 96, 5, 1, 1},
		{"dw5x5_88_3x96", 88, 88, 88, 3, 96, 5, 1, 1},
		{"dw5x5_104_3x96_s2x1", 104, 104, 104, 3, 96, 5, 2, 1},
		{"dw3x3_24_12x96_s2x1", 24, 24, 24, 12, 96, 3, 2, 1},
		{"1x1_32to200_2x96", 32, 200, 1, 2, 96, 1, 1, 1},
		{"1x1_200to32_2x96", 200, 32, 1, 2, 96, 1, 1, 1},
		{"1x1_16to88_3x96", 16, 88, 1, 3, 96, 1, 1, 1},
		{"1x1_8to32_6x96", 8, 32, 1, 6, 96, 1, 1, 1},
	} {
		b.Run("size="+bc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			x := nnRandTensor(r, 1, bc.c, bc.h, bc.w)
			w := nnRandTensor(r, bc.m, bc.c/bc.group, bc.k, bc.k)
			bias := nnRandTensor(r, bc.m)
			p := bc.k / 2
			node := nnNode("Conv", nnAInt("group", bc.group), nnAInts("strides", bc.sh, bc.sw), nnAInts("pads", p, p, p, p))
			c := &Ctx{Opset: 17, Pool: &tensor.Pool{}}
			in := []*tensor.Tensor{x, w, bias}
			run := func() *tensor.Tensor {
				out, err := convKernel(c, node, in)
				if err != nil {
					b.Fatal(err)
				}
				return out[0]
			}
			y := run()
			macs := float64(y.Len()) * float64(bc.c/bc.group*bc.k*bc.k)
			c.Pool.Put(y)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Pool.Put(run())
			}
			b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
