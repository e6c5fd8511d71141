package ops

import (
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// convBenchCase is one Conv layer shape of the benchmarks.
type convBenchCase struct {
	name        string
	c, m, group int
	h, w, k     int
	sh, sw      int
}

// BenchmarkConv runs Conv on a size ladder of typical CNN layers, on one
// Ctx reused across iterations (the engine's steady state: pooled output,
// grown scratch). GFLOPS counts 2 flops per multiply-add of the layer.
func BenchmarkConv(b *testing.B) {
	benchConv(b, []convBenchCase{
		{"3x3_32to32_56x56", 32, 32, 1, 56, 56, 3, 1, 1},
		{"3x3_64to64_28x28", 64, 64, 1, 28, 28, 3, 1, 1},
		{"3x3_3to16_224x224_s2", 3, 16, 1, 224, 224, 3, 2, 2},
		{"1x1_64to128_28x28", 64, 128, 1, 28, 28, 1, 1, 1},
		{"dw3x3_64_56x56", 64, 64, 64, 56, 56, 3, 1, 1},
		{"dw3x3_128_28x28_s2", 128, 128, 128, 28, 28, 3, 2, 2},
	})
}

// BenchmarkConvOCR runs Conv on the layer shapes that dominate the
// PaddleOCR cls model (MobileNetV3-small at 48x192: depthwise 5x5 and
// pointwise convs on 2- and 3-row planes), where the pure Go kernels
// (wasm) spend most of their time.
func BenchmarkConvOCR(b *testing.B) {
	benchConv(b, []convBenchCase{
		{"dw5x5_200_2x96", 200, 200, 200, 2, 96, 5, 1, 1},
		{"dw5x5_88_3x96", 88, 88, 88, 3, 96, 5, 1, 1},
		{"dw5x5_104_3x96_s2x1", 104, 104, 104, 3, 96, 5, 2, 1},
		{"dw3x3_24_12x96_s2x1", 24, 24, 24, 12, 96, 3, 2, 1},
		{"1x1_32to200_2x96", 32, 200, 1, 2, 96, 1, 1, 1},
		{"1x1_200to32_2x96", 200, 32, 1, 2, 96, 1, 1, 1},
		{"1x1_16to88_3x96", 16, 88, 1, 3, 96, 1, 1, 1},
		{"1x1_8to32_6x96", 8, 32, 1, 6, 96, 1, 1, 1},
	})
}

func benchConv(b *testing.B, cases []convBenchCase) {
	for _, bc := range cases {
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
			b.SetBytes(int64(4 * x.Len()))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Pool.Put(run())
			}
			b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// BenchmarkConvTranspose is a 2x upsampling transposed conv.
func BenchmarkConvTranspose(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	x, w := nnRandTensor(r, 1, 32, 28, 28), nnRandTensor(r, 32, 16, 2, 2)
	node := nnNode("ConvTranspose", nnAInts("strides", 2, 2))
	c := &Ctx{Opset: 17, Pool: &tensor.Pool{}}
	b.Run("size=2x2s2_32to16_28x28", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			out, err := convTransposeKernel(c, node, []*tensor.Tensor{x, w})
			if err != nil {
				b.Fatal(err)
			}
			c.Pool.Put(out[0])
		}
		b.ReportMetric(2*32*16*4*28*28*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	})
}
