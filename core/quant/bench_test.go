package quant

import (
	"context"
	"testing"

	"fixq/internal/fmnist"
)

// BenchmarkQuantize times Quantize on the trained Fashion-MNIST models with
// 100 calibration images (batches of 10): the figures quoted in reports.
func BenchmarkQuantize(b *testing.B) {
	train, _ := fmnist.Load(b, "train")
	for _, name := range []string{"cnn_fmnist", "mbv2_fmnist"} {
		b.Run("model="+name, func(b *testing.B) {
			m := loadModel(b, name+".onnx")
			in := m.Graph.Inputs[0].Name
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Quantize(context.Background(), m, &imageSource{im: train, input: in, n: 100, size: 10}, Config{}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
