package prep

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"image"

	"fixq/core/npy"
	"fixq/core/tensor"
)

// Entry is one data item: an image file, loaded only when its batch is
// built.
type Entry struct {
	Name  string // for messages: the path the user gave
	Label int    // class index, or -1
	Load  func() ([]byte, error)
}

// Dataset is a list of images (optionally labelled) or one tensor.
type Dataset struct {
	Entries []Entry
	// Classes are the ImageFolder class names in index order.
	Classes []string
	// Tensor, when set, is an [N, ...] array of ready model inputs (.npy).
	Tensor *tensor.Tensor
}

// Len is the number of items.
func (d *Dataset) Len() int {
	if d.Tensor != nil {
		if d.Tensor.Rank() == 0 {
			return 0
		}
		return d.Tensor.Shape[0]
	}
	return len(d.Entries)
}

// IsImageName reports whether a file name has an image extension.
func IsImageName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// FromFiles builds a dataset from file paths (slash-separated, relative to
// the folder the user chose) and a loader. Non-image files are ignored;
// files are sorted by path. With labelled, each image's class is its first
// path element below the root (torchvision ImageFolder: classes in sorted
// folder-name order); images directly in the root are an error then.
func FromFiles(paths []string, load func(p string) ([]byte, error), labelled bool) (*Dataset, error) {
	var imgs []string
	for _, p := range paths {
		if IsImageName(p) {
			imgs = append(imgs, p)
		}
	}
	sort.Strings(imgs)
	if len(imgs) == 0 {
		return nil, fmt.Errorf("no PNG or JPEG images among %d files", len(paths))
	}
	d := &Dataset{}
	classIdx := map[string]int{}
	if labelled {
		set := map[string]bool{}
		for _, p := range imgs {
			parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
			if len(parts) < 2 {
				return nil, fmt.Errorf("%s: labelled data wants one sub-folder per class (ImageFolder layout)", p)
			}
			set[parts[len(parts)-2]] = true
		}
		for c := range set {
			d.Classes = append(d.Classes, c)
		}
		sort.Strings(d.Classes)
		for i, c := range d.Classes {
			classIdx[c] = i
		}
	}
	for _, p := range imgs {
		p := p
		e := Entry{Name: p, Label: -1, Load: func() ([]byte, error) { return load(p) }}
		if labelled {
			parts := strings.Split(p, "/")
			e.Label = classIdx[parts[len(parts)-2]]
		}
		d.Entries = append(d.Entries, e)
	}
	return d, nil
}

// FromNPY builds a dataset from one .npy tensor [N, ...].
func FromNPY(r io.Reader) (*Dataset, error) {
	t, err := npy.Read(r)
	if err != nil {
		return nil, err
	}
	if t.DType != tensor.Float32 || t.Rank() < 1 {
		return nil, fmt.Errorf("calibration .npy must be float32 [N, ...], is %v", t)
	}
	return &Dataset{Tensor: t}, nil
}

// Limit keeps the first n items (n <= 0 keeps all). For images it takes
// an evenly spread subset so a class-sorted ImageFolder keeps every class.
func (d *Dataset) Limit(n int) {
	if n <= 0 || n >= d.Len() {
		return
	}
	if d.Tensor != nil {
		t, _ := tensor.New(tensor.Float32, append([]int{n}, d.Tensor.Shape[1:]...)...)
		copy(t.F32, d.Tensor.F32[:len(t.F32)])
		d.Tensor = t
		return
	}
	out := make([]Entry, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, d.Entries[i*len(d.Entries)/n])
	}
	d.Entries = out
}

// Warning is a skipped item.
type Warning struct {
	Name string
	Err  error
}

func (w Warning) String() string { return w.Name + ": " + w.Err.Error() }

// Batches walks a dataset in batches of model inputs.
type Batches struct {
	D     *Dataset
	Opts  Options
	Geo   InputGeometry
	Size  int  // batch size (default 16)
	Skip  bool // skip broken images (recorded in Warnings) instead of failing
	pos   int
	Warns []Warning
}

// Next returns the next batch [n, C, H, W] (or NHWC) and its labels, or
// io.EOF after the last one. A broken image fails with its name unless
// Skip is set.
func (b *Batches) Next(ctx context.Context) (*tensor.Tensor, []int, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	size := b.Size
	if size <= 0 {
		size = 16
	}
	total := b.D.Len()
	if b.pos >= total {
		return nil, nil, io.EOF
	}
	if t := b.D.Tensor; t != nil {
		n := min(size, total-b.pos)
		per := t.Len() / total
		out, err := tensor.New(tensor.Float32, append([]int{n}, t.Shape[1:]...)...)
		if err != nil {
			return nil, nil, err
		}
		copy(out.F32, t.F32[b.pos*per:(b.pos+n)*per])
		b.pos += n
		return out, nil, nil
	}
	per := b.Geo.C * b.Geo.H * b.Geo.W
	buf := make([]float32, 0, size*per)
	var labels []int
	for len(labels) < size && b.pos < total {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		e := b.D.Entries[b.pos]
		b.pos++
		data, err := e.Load()
		if err == nil {
			var img image.Image
			img, err = DecodeImage(data)
			if err == nil {
				buf = buf[:len(buf)+per]
				err = b.Opts.ImageToTensor(buf[len(buf)-per:], img, b.Geo)
				if err != nil {
					buf = buf[:len(buf)-per]
				}
			}
		}
		if err != nil {
			if b.Skip {
				b.Warns = append(b.Warns, Warning{e.Name, err})
				continue
			}
			return nil, nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		labels = append(labels, e.Label)
	}
	if len(labels) == 0 {
		return nil, nil, io.EOF
	}
	shape := []int{len(labels), b.Geo.C, b.Geo.H, b.Geo.W}
	if b.Opts.Layout == "nhwc" {
		shape = []int{len(labels), b.Geo.H, b.Geo.W, b.Geo.C}
	}
	return tensor.FromFloat32(buf, shape...), labels, nil
}

// Reset starts again from the first item.
func (b *Batches) Reset() { b.pos = 0; b.Warns = nil }
