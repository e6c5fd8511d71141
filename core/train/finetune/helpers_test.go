package finetune

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fixq/core/dataset"
	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// The models' preprocessing: (x/255 - 0.5)/0.5 (testdata/models/README.md).
var fmnistNorm = dataset.Norm{Mean: 0.5, Std: 0.5}

// imageSource streams images [from, from+n) in batches.
type imageSource struct {
	im                *dataset.Images
	input             string
	from, n, size, at int
}

func (s *imageSource) Next(ctx context.Context) (map[string]*tensor.Tensor, error) {
	if s.at >= s.n {
		return nil, io.EOF
	}
	c := min(s.size, s.n-s.at)
	t, err := s.im.BatchTensor(nil, s.from+s.at, c, fmnistNorm)
	if err != nil {
		return nil, err
	}
	s.at += c
	return map[string]*tensor.Tensor{s.input: t}, nil
}

func (s *imageSource) Rewind() error { s.at = 0; return nil }

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func loadModel(t testing.TB, name string) *graph.Model {
	t.Helper()
	b, err := os.ReadFile(testassets.Require(t, filepath.Join(repoRoot(t), "testdata", "models", name)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// top1 scores run on test images [0, n) in batches of 500.
func top1(t testing.TB, test *dataset.Images, labels []uint8, input, output string, n int,
	run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)) float64 {
	t.Helper()
	lab := func(b, k int) ([]uint8, error) { return labels[b*500 : b*500+k], nil }
	hits, total, err := quant.Top1(context.Background(), &imageSource{im: test, input: input, n: n, size: 500}, output, lab, run)
	if err != nil {
		t.Fatal(err)
	}
	return 100 * float64(hits) / float64(total)
}

// idxSamples serves IDX images [0, n) with their labels as train.Samples.
type idxSamples struct {
	im     *dataset.Images
	labels []uint8
	input  string
	n      int
}

func (s *idxSamples) Len() int { return s.n }

func (s *idxSamples) Batch(ctx context.Context, idx []int) (map[string]*tensor.Tensor, []int, error) {
	per := s.im.H * s.im.W
	x := tensor.MustNew(tensor.Float32, len(idx), 1, s.im.H, s.im.W)
	lab := make([]int, len(idx))
	for k, i := range idx {
		if err := s.im.Batch(x.F32[k*per:(k+1)*per], i, 1, fmnistNorm); err != nil {
			return nil, nil, err
		}
		lab[k] = int(s.labels[i])
	}
	return map[string]*tensor.Tensor{s.input: x}, lab, nil
}

// predictions is the argmax of run's output for a batch of inputs.
func predictions(t testing.TB, run func(context.Context, map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error),
	input, output string, x *tensor.Tensor) []int {
	t.Helper()
	out, err := run(context.Background(), map[string]*tensor.Tensor{input: x})
	if err != nil {
		t.Fatal(err)
	}
	y := out[output]
	n := x.Shape[0]
	k := len(y.F32) / n
	p := make([]int, n)
	for i := range p {
		p[i] = dataset.ArgMax(y.F32[i*k : (i+1)*k])
	}
	return p
}
