// Package fmnist reads Debian's Fashion-MNIST for tests (a separate
// package from testassets so core/dataset's own tests can use testassets).
package fmnist

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"fixq/core/dataset"
	"fixq/internal/testassets"
)

// Dir is where Debian's dataset-fashion-mnist puts the files.
const Dir = "/usr/share/datasets/fashion-mnist"

// Load reads one split ("train" or "t10k") of Fashion-MNIST:
// images and labels, failing (CI) or skipping when the data set is
// missing.
func Load(t testing.TB, split string) (*dataset.Images, []uint8) {
	t.Helper()
	open := func(name string) *gzip.Reader {
		f, err := os.Open(testassets.Require(t, filepath.Join(Dir, name)))
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
