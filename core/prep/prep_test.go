package prep

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/core/npy"
	"fixq/core/ops"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// TestImageMatchesPIL checks decoding + normalisation against PIL and
// numpy: a PNG and a JPEG written by PIL, normalised by numpy as
// (x/255 - mean)/std in NCHW, must equal ours to 1e-6 (JPEG, written 4:4:4 so no
// chroma upsampling differs: libjpeg's and Go's IDCT may differ by a few
// levels, so JPEG is checked to 3/255/std).
func TestImageMatchesPIL(t *testing.T) {
	py := testassets.Python(t)
	dir := t.TempDir()
	script := `
import numpy as np, sys
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(5)
a = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
Image.fromarray(a).save(d + '/a.png')
Image.fromarray(a).save(d + '/a.jpg', quality=95, subsampling=0)
for name in ['a.png', 'a.jpg']:
    x = np.asarray(Image.open(d + '/' + name).convert('RGB')).astype(np.float32) / 255.0
    mean = np.array([0.485, 0.456, 0.406], np.float32); std = np.array([0.229, 0.224, 0.225], np.float32)
    x = ((x - mean) / std).transpose(2, 0, 1)[None]
    np.save(d + '/' + name + '.npy', x.astype(np.float32))
`
	cmd := exec.Command(py, "-c", script, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	o := Options{Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}
	for _, name := range []string{"a.png", "a.jpg"} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		img, err := DecodeImage(data)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, 3*20*30)
		if err := o.ImageToTensor(got, img, InputGeometry{3, 20, 30}); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(filepath.Join(dir, name+".npy"))
		want, err := npy.Read(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		tol := 1e-6
		if strings.HasSuffix(name, ".jpg") {
			tol = 3.0 / 255 / 0.224
		}
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, math.Abs(float64(got[i]-want.F32[i])))
		}
		if worst > tol {
			t.Errorf("%s: max diff %g > %g", name, worst, tol)
		}
	}
}

// TestResizeMatchesONNXResize checks our bilinear resize against the ONNX
// Resize kernel (linear, half_pixel), itself checked on ONNX's test data.
func TestResizeMatchesONNXResize(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 13, 7))
	for i := range img.Pix {
		img.Pix[i] = uint8((i * 37) % 256)
	}
	o := Options{Scale: 1}
	for _, hw := range [][2]int{{5, 9}, {14, 26}, {7, 13}} {
		o.Size = hw
		got := make([]float32, hw[0]*hw[1])
		if err := o.ImageToTensor(got, img, InputGeometry{1, hw[0], hw[1]}); err != nil {
			t.Fatal(err)
		}
		x := tensor.MustNew(tensor.Float32, 1, 1, 7, 13)
		for i, p := range img.Pix {
			x.F32[i] = float32(p)
		}
		n := &graph.Node{Name: "r", OpType: "Resize", Inputs: []string{"x", "", "", "sizes"}, Outputs: []string{"y"}}
		n.SetAttr(&graph.Attr{Name: "mode", Type: graph.AttrString, S: "linear"})
		n.SetAttr(&graph.Attr{Name: "coordinate_transformation_mode", Type: graph.AttrString, S: "half_pixel"})
		k, ok := ops.Lookup("", "Resize")
		if !ok {
			t.Fatal("no Resize kernel")
		}
		out, err := k(&ops.Ctx{Opset: 13}, n, []*tensor.Tensor{x, nil, nil, tensor.FromInt64([]int64{1, 1, int64(hw[0]), int64(hw[1])}, 4)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if d := math.Abs(float64(got[i] - out[0].F32[i])); d > 1e-3 {
				t.Fatalf("size %v: pixel %d: %g vs ONNX Resize %g", hw, i, got[i], out[0].F32[i])
			}
		}
	}
}

func pngBytes(t *testing.T, w, h int, v uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImageFolderBatchesAndBrokenImages(t *testing.T) {
	files := map[string][]byte{
		"data/zebra/1.png":     pngBytes(t, 4, 4, 10),
		"data/apple/2.png":     pngBytes(t, 4, 4, 20),
		"data/apple/1.png":     pngBytes(t, 4, 4, 30),
		"data/apple/notes.txt": []byte("hello"),
		"data/zebra/bad.png":   []byte("\x89PNG\r\n\x1a\nthis is not a png"),
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	load := func(p string) ([]byte, error) { return files[p], nil }
	d, err := FromFiles(paths, load, true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.Classes, ",") != "apple,zebra" || d.Len() != 4 {
		t.Fatalf("classes %v, %d items", d.Classes, d.Len())
	}
	b := &Batches{D: d, Geo: InputGeometry{3, 4, 4}, Size: 3}
	x, labels, err := b.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(x.Shape, []int{3, 3, 4, 4}) || labels[0] != 0 || labels[1] != 0 || labels[2] != 1 {
		t.Fatalf("batch %v labels %v", x, labels)
	}
	// apple/1.png (value 30) comes first: sorted paths.
	if got := x.F32[1]; math.Abs(float64(got)-30.0/255) > 1e-7 {
		t.Errorf("first image pixel %g, want %g", got, 30.0/255)
	}
	if _, _, err := b.Next(context.Background()); err == nil || !strings.Contains(err.Error(), "data/zebra/bad.png") {
		t.Fatalf("broken image: want an error naming data/zebra/bad.png, got %v", err)
	}
	b = &Batches{D: d, Geo: InputGeometry{3, 4, 4}, Size: 3, Skip: true}
	n := 0
	for {
		x, _, err := b.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n += x.Shape[0]
	}
	if n != 3 || len(b.Warns) != 1 || b.Warns[0].Name != "data/zebra/bad.png" {
		t.Fatalf("skip: %d images, warnings %v", n, b.Warns)
	}
}

func TestHugeImageRefusedBeforeDecoding(t *testing.T) {
	// A PNG header claiming 100000 x 100000 pixels.
	var b bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	png.Encode(&b, img)
	data := b.Bytes()
	// IHDR width/height live at bytes 16..24.
	copy(data[16:], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	if _, err := DecodeImage(data); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("want a too-large error, got %v", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	if _, err := ParseOptionsJSON([]byte(`{"size":[224,224],"mean":[0.5],"bogus":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := ParseOptionsJSON([]byte(`{"std":[0]}`)); err == nil {
		t.Error("std 0 accepted")
	}
	o, err := ParseOptionsJSON([]byte(`{"size":[256,256],"crop":[224,224],"bgr":true,"layout":"nhwc"}`))
	if err != nil || !o.BGR || o.Crop[0] != 224 {
		t.Errorf("%+v %v", o, err)
	}
	if hw, err := ParseHW("48x192"); err != nil || hw != [2]int{48, 192} {
		t.Errorf("ParseHW: %v %v", hw, err)
	}
	if v, err := ParseFloats("1/255"); err != nil || math.Abs(v[0]-1.0/255) > 1e-12 {
		t.Errorf("ParseFloats: %v %v", v, err)
	}
}
