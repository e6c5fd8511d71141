package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fixq/core/npy"
	"fixq/internal/testassets"
)

const fmnistDir = "/usr/share/datasets/fashion-mnist"

func readFMNIST(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testassets.Require(t, filepath.Join(fmnistDir, name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The Fashion-MNIST test set, read from Debian's gzipped IDX files, checked
// against facts of the data set (10000 images of 28x28, 1000 of each of the
// 10 classes, the first labels 9 2 1 1 6 1 4 6 5 7) and against the first 64
// images as preprocessed by NumPy in scripts/train/train_models.py.
func TestFashionMNISTTestSet(t *testing.T) {
	im, err := ReadIDXImages(bytes.NewReader(readFMNIST(t, "t10k-images-idx3-ubyte.gz")))
	if err != nil {
		t.Fatal(err)
	}
	labels, err := ReadIDXLabels(bytes.NewReader(readFMNIST(t, "t10k-labels-idx1-ubyte.gz")))
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 10000 || im.H != 28 || im.W != 28 || len(labels) != 10000 {
		t.Fatalf("got %d images of %dx%d and %d labels", im.N, im.H, im.W, len(labels))
	}
	var perClass [10]int
	for _, l := range labels {
		if l > 9 {
			t.Fatalf("label %d", l)
		}
		perClass[l]++
	}
	if perClass != [10]int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000} {
		t.Errorf("images per class %v, want 1000 each", perClass)
	}
	if got := labels[:10]; !bytes.Equal(got, []byte{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}) {
		t.Errorf("first labels %v", got)
	}

	f, err := os.Open("../../testdata/fmnist_test64.npy")
	if err != nil {
		t.Fatal(err) // committed with the repository: its absence is a failure
	}
	defer f.Close()
	ref, err := npy.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{64, 1, 28, 28}; ref.Rank() != 4 || ref.Shape[0] != 64 || ref.Shape[2] != 28 {
		t.Fatalf("fmnist_test64.npy has shape %v, want %v", ref.Shape, want)
	}
	seq, err := im.Batches(24, Norm{Mean: 0.5, Std: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for start, batch := range seq {
		for i, v := range batch.F32 {
			j := start*784 + i
			if j >= len(ref.F32) {
				break
			}
			if v != ref.F32[j] {
				t.Fatalf("image %d pixel %d: Go %v, NumPy %v (exact match expected)", j/784, j%784, v, ref.F32[j])
			}
			checked++
		}
		if checked == len(ref.F32) {
			break
		}
	}
	if checked != 64*784 {
		t.Errorf("checked %d values, want %d", checked, 64*784)
	}
}

// The train set: 60000 images, 6000 a class.
func TestFashionMNISTTrainSet(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 26 MB of gzip")
	}
	labels, err := ReadIDXLabels(bytes.NewReader(readFMNIST(t, "train-labels-idx1-ubyte.gz")))
	if err != nil {
		t.Fatal(err)
	}
	var perClass [10]int
	for _, l := range labels {
		perClass[l%10]++
	}
	if len(labels) != 60000 || perClass != [10]int{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000} {
		t.Errorf("%d labels, per class %v", len(labels), perClass)
	}
	im, err := ReadIDXImages(bytes.NewReader(readFMNIST(t, "train-images-idx3-ubyte.gz")))
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 60000 || im.H != 28 || im.W != 28 {
		t.Errorf("train set: %d images of %dx%d", im.N, im.H, im.W)
	}
}
