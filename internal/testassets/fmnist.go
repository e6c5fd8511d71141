package testassets

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"fixq/core/dataset"
)

// FashionMNISTDir is where Debian's dataset-fashion-mnist puts the files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNIST reads one split ("train" or "t10k") of Fashion-MNIST:
// images and labels, failing (CI) or skipping when the data set is
// missing.
func FashionMNIST(t testing.TB, split string) (*dataset.Images, []uint8) {
	t.Helper()
	open := func(name string) *gzip.Reader {
		f, err := os.Open(Require(t, filepath.Join(FashionMNISTDir, name)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return zr
	}
	im, err := dataset.ReadIDXImages(open(split + "-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	labels, err := dataset.ReadIDXLabels(open(split + "-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	return im, labels
}
