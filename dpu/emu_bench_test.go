package dpu

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// BenchmarkInt8Conv times the emulator's conv step (im2row + packed int8
// GEMM + requantization) on a ladder of 3x3 convs, stride 1, pad 1,
// batch 1. GOPS counts 2 operations per multiply-accumulate. Allocations
// per run are reported: the hot loop allocates nothing.
//
//	go test ./dpu -run XXX -bench Int8Conv -benchtime 20x
func BenchmarkInt8Conv(b *testing.B) {
	for _, s := range []struct{ c, m, hw int }{{16, 16, 56}, {32, 32, 56}, {64, 64, 28}, {128, 128, 28}, {256, 256, 14}, {512, 512, 7}} {
		b.Run(fmt.Sprintf("C%d_M%d_%dx%d", s.c, s.m, s.hw, s.hw), func(b *testing.B) {
			r := rand.New(rand.NewSource(1))
			w := randQ(r, s.m, s.c, 3, 3)
			bias := randQ(r, s.m)
			n := &graph.Node{Name: "conv", OpType: "Conv", Inputs: []string{"x", "w", "b"}, Outputs: []string{"y"}}
			n.SetAttr(aInts("pads", 1, 1, 1, 1))
			g := &graph.Graph{Name: "b", Inputs: []graph.ValueInfo{{Name: "x", DType: tensor.Float32}},
				Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}}, Nodes: []*graph.Node{n}}
			params := map[string]*emuParam{"w": {Q: w.I8, Shape: w.Shape, FixPos: 7}, "b": {Q: bias.I8, Shape: bias.Shape, FixPos: 7}}
			for k, v := range params {
				g.SetInitializer(k, v.dequantized())
			}
			eg := &emuGraph{model: &graph.Model{Opsets: map[string]int64{"": 13}, Graph: g},
				fix: map[string]int{"x": 4, "y": 2}, params: params, approx: map[string]*emuApprox{}}
			p, err := build(eg)
			if err != nil {
				b.Fatal(err)
			}
			x := randQ(r, 1, s.c, s.hw, s.hw)
			if _, err := p.Run(context.Background(), map[string]*tensor.Tensor{"x": dequantize(x, 4)}); err != nil {
				b.Fatal(err)
			}
			st := p.steps[0]
			in := []*emuValue{&p.vals[st.in[0]], &p.vals[st.in[1]], &p.vals[st.in[2]]}
			out := []*emuValue{&p.vals[st.out[0]]}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := st.kern.run(p, in, out); err != nil {
					b.Fatal(err)
				}
			}
			macs := float64(s.m * s.c * 9 * s.hw * s.hw)
			b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
		})
	}
}
