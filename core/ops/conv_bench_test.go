package ops

import (
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

// BenchmarkConv runs Conv on a size ladder of typical CNN layers, on one
// Ctx reused across iterations (the engine's steady state: pooled output,
// grown scratch). GFLOPS counts 2 flops per multiply-add of the layer.
func BenchmarkConv(b *testing.B) {
	for _, bc := range []struct {
		name            string
		c, m, group     int
		h, w, k, stride int
	}{
		{"3x3_32to32_56x56", 32, 32, 1, 56, 56, 3, 1},
		{"3x3_64to64_28x28", 64, 64, 1, 28, 28, 3, 1},
		{"3x3_3to16_224x224_s2", 3, 16, 1, 224, 224, 3, 2},
		{"1x1_64to128_28x28", 64, 128, 1, 28, 28, 1, 1},
		{"dw3x3_64_56x56", 64, 64, 64, 56, 56, 3, 1},
		{"dw3x3_128_28x28_s2", 128, 128, 128, 28, 28, 3, 2},
	} {
		b.Run("size="+bc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			x := nnRandTensor(r, 1, bc.c, bc.h, bc.w)
			w := nnRandTensor(r, bc.m, bc.c/bc.group, bc.k, bc.k)
			bias := nnRandTensor(r, bc.m)
			p := bc.k / 2
			node := nnNode("Conv", nnAInt("group", bc.group), nnAInts("strides", bc.stride, bc.stride), nnAInts("pads", p, p, p, p))
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
