package quant

import (
	"context"
	"testing"
)

// BenchmarkQuantizeCNN times Quantize on cnn_fmnist with 100 calibration
// images (batches of 10), the figure quoted in the report.
func BenchmarkQuantizeCNN(b *testing.B) {
	m := loadModel(b, "cnn_fmnist.onnx")
	train := readImages(b, "train-images-idx3-ubyte.gz")
	in := m.Graph.Inputs[0].Name
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Quantize(context.Background(), m, &imageSource{im: train, input: in, n: 100, size: 10}, Config{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
