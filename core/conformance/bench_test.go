package conformance

import (
	"context"
	"sort"
	"testing"
	"time"

	"fixq/core/engine"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// Single-inference latency of the PaddleOCR models in fixq's float engine,
// set against onnxruntime-node by scripts/bench-float.sh. Run with -cpu 1
// (GOMAXPROCS=1, the match for onnxruntime's intraOpNumThreads 1). Besides
// ns/op (the mean) each reports median-ms, the median of the iterations,
// which is what the script compares.

func BenchmarkPaddleCls(b *testing.B) {
	benchModel(b, testassets.PaddleCls(b), randomInput(21, -1, 1, 1, 3, 48, 192))
}

func BenchmarkPaddleDet(b *testing.B) {
	benchModel(b, testassets.PaddleDet(b), randomInput(22, -1, 1, 1, 3, 640, 640))
}

func benchModel(b *testing.B, path string, in *tensor.Tensor) {
	m := decodeFile(b, path)
	s, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	feeds := map[string]*tensor.Tensor{m.Graph.Inputs[0].Name: in}
	ctx := context.Background()
	if _, err := s.Run(ctx, feeds); err != nil { // warm-up: fills the buffer pool
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := s.Run(ctx, feeds); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
}
