package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"fixq/core/tensor"
)

func TestBatchNormalizationRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	x := nnRandTensor(r, 2, 3, 4, 5)
	scale, bias, mean := nnRandTensor(r, 3), nnRandTensor(r, 3), nnRandTensor(r, 3)
	variance := tensor.FromFloat32([]float32{0.5, 1.5, 2}, 3)
	const eps = 1e-3
	want := make([]float32, len(x.F32))
	for i, v := range x.F32 {
		c := (i / 20) % 3
		want[i] = float32((float64(v)-float64(mean.F32[c]))/math.Sqrt(float64(variance.F32[c])+eps)*float64(scale.F32[c]) + float64(bias.F32[c]))
	}
	got := nnRunNaN(t, batchNormalizationKernel, 15, nnNode("BatchNormalization", nnAFloat("epsilon", eps)), len(want), x, scale, bias, mean, variance)
	nnCompare(t, "BatchNormalization", got[0], x.Shape, want, 1e-5, 1e-5)

	// spatial=0 (opset 7): parameters per element of a sample.
	x2 := nnRandTensor(r, 2, 2, 3)
	ps := make([]*tensor.Tensor, 4)
	for i := range ps {
		ps[i] = nnRandTensor(r, 2, 3)
	}
	for i := range ps[3].F32 {
		ps[3].F32[i] = float32(math.Abs(float64(ps[3].F32[i])))
	}
	want2 := make([]float32, len(x2.F32))
	for i, v := range x2.F32 {
		j := i % 6
		want2[i] = float32((float64(v)-float64(ps[2].F32[j]))/math.Sqrt(float64(ps[3].F32[j])+1e-5)*float64(ps[0].F32[j]) + float64(ps[1].F32[j]))
	}
	got = nnRunNaN(t, batchNormalizationKernel, 7, nnNode("BatchNormalization", nnAInt("spatial", 0)), len(want2), x2, ps[0], ps[1], ps[2], ps[3])
	nnCompare(t, "BatchNormalization spatial=0", got[0], x2.Shape, want2, 1e-5, 1e-5)
}

func TestBatchNormalizationONNX(t *testing.T) {
	nnONNXCase(t, "test_batchnorm_epsilon", "")
	nnONNXCase(t, "test_batchnorm_example", "")
	nnONNXCase(t, "test_batchnorm_epsilon_training_mode", "training_mode=1 is not supported")
	nnONNXCase(t, "test_batchnorm_example_training_mode", "training_mode=1 is not supported")
}

func TestBatchNormalizationErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	x, p3 := nnRandTensor(r, 1, 3, 2, 2), nnRandTensor(r, 3)
	in := []*tensor.Tensor{x, p3, p3, p3, p3}
	nnWantErr(t, batchNormalizationKernel, nnNode("BatchNormalization", nnAInt("training_mode", 1)), in, "training_mode=1 is not supported")
	bn := nnNode("BatchNormalization")
	bn.Outputs = []string{"y", "mean", "var"}
	nnWantErr(t, batchNormalizationKernel, bn, in, "output 1 (\"mean\") is a training statistic")
	nnWantErr(t, batchNormalizationKernel, nnNode("BatchNormalization"), []*tensor.Tensor{x, p3, nnRandTensor(r, 4), p3, p3}, "input 2 (B) has shape [4], want [3]")
	nnWantErr(t, batchNormalizationKernel, nnNode("BatchNormalization"), in[:4], "has 4 inputs, want 5")
	nnWantErr(t, batchNormalizationKernel, nnNode("BatchNormalization", nnAInt("spatial", 0)), in, "input 1 (scale) has shape [3], want [3 2 2]")
}
