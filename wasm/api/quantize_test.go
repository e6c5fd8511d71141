package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"slices"
	"testing"

	"fixq/core/job"
	"fixq/core/npy"
	"fixq/core/prep"
	"fixq/core/tensor"
)

// calibPNG is a deterministic 96x24 test image (a gradient with a bar
// whose place depends on i), like a line of text at half size.
func calibPNG(i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 96; x++ {
			v := uint8((x*2 + y*3 + i*37) % 256)
			if x/8 == i%12 {
				v = 255 - v
			}
			img.Set(x, y, color.RGBA{v, uint8(255 - int(v)/2), uint8(i * 20), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func calibParts(n int) []part {
	var ps []part
	for i := n - 1; i >= 0; i-- { // out of order on purpose: the job sorts
		ps = append(ps, part{"calib", fmt.Sprintf("img%02d.png", i), "image/png", calibPNG(i)})
	}
	return ps
}

const clsOptions = `{"calib_size": 4, "batch_size": 2, "preprocess": {"size": [48, 192]}}`

func clsForm(extra ...part) func(*testing.T) ([]byte, string) {
	return func(t *testing.T) ([]byte, string) {
		ps := append([]part{{"model", "model.onnx", "application/octet-stream", paddleCls(t)}, {"options", "", "application/json", []byte(clsOptions)}}, calibParts(4)...)
		return multipartBody(append(ps, extra...)...)(t)
	}
}

func npyBytes(t *testing.T, shape ...int) []byte {
	x, err := tensor.New(tensor.Float32, shape...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x.F32 {
		x.F32[i] = float32(i%17) / 17
	}
	var b bytes.Buffer
	if err := npy.Write(&b, x); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func quantizeCases() []call {
	model := func(t *testing.T) part { return part{"model", "m.onnx", "", paddleCls(t)} }
	form := func(parts func(t *testing.T) []part) func(*testing.T) ([]byte, string) {
		return func(t *testing.T) ([]byte, string) { return multipartBody(parts(t)...)(t) }
	}
	opts := part{"options", "", "", []byte(clsOptions)}
	q := func(name string, cfg Config, body func(*testing.T) ([]byte, string), status int, code string) call {
		return call{name: "quantize " + name, cfg: cfg, method: "POST", path: "/v1/quantize", body: body, wantStatus: status, wantCode: code}
	}
	return []call{
		q("images", Config{}, clsForm(), 200, ""),
		q("npy", Config{}, form(func(t *testing.T) []part {
			return []part{model(t), {"calib", "x.npy", "", npyBytes(t, 3, 3, 48, 192)}}
		}), 200, ""),
		q("without token", Config{Token: token}, clsForm(), 401, CodeUnauthorized),
		q("no model", Config{}, form(func(t *testing.T) []part { return calibParts(2) }), 400, CodeBadRequest),
		q("no calib", Config{}, form(func(t *testing.T) []part { return []part{model(t)} }), 400, CodeBadRequest),
		q("unknown part", Config{}, form(func(t *testing.T) []part {
			return append([]part{model(t), {"labels", "", "", []byte("1")}}, calibParts(1)...)
		}), 400, CodeBadRequest),
		q("bad options", Config{}, form(func(t *testing.T) []part {
			return append([]part{model(t), {"options", "", "", []byte(`{"methd": "diffs"}`)}}, calibParts(1)...)
		}), 400, CodeBadRequest),
		q("unknown target", Config{}, form(func(t *testing.T) []part {
			return append([]part{model(t), {"options", "", "", []byte(`{"target": "TPUv9"}`)}}, calibParts(1)...)
		}), 400, CodeBadRequest),
		q("garbage model", Config{}, form(func(t *testing.T) []part {
			return append([]part{{"model", "m.onnx", "", []byte("garbage")}, opts}, calibParts(1)...)
		}), 400, CodeBadRequest),
		q("text file as calib", Config{}, form(func(t *testing.T) []part { return []part{model(t), {"calib", "notes.txt", "", []byte("hi")}} }), 400, CodeBadRequest),
		q("calib without filename", Config{}, form(func(t *testing.T) []part { return []part{model(t), {"calib", "", "", calibPNG(0)}} }), 400, CodeBadRequest),
		q("two npy", Config{}, form(func(t *testing.T) []part {
			return []part{model(t), {"calib", "a.npy", "", npyBytes(t, 1, 3, 48, 192)}, {"calib", "b.npy", "", npyBytes(t, 1, 3, 48, 192)}}
		}), 400, CodeBadRequest),
		q("images and npy", Config{}, form(func(t *testing.T) []part {
			return append([]part{model(t), {"calib", "a.npy", "", npyBytes(t, 1, 3, 48, 192)}}, calibParts(1)...)
		}), 400, CodeBadRequest),
		q("duplicate image names", Config{}, form(func(t *testing.T) []part {
			return append([]part{model(t), opts}, append(calibParts(1), calibParts(1)...)...)
		}), 400, CodeBadRequest),
		q("broken image", Config{}, clsForm(part{"calib", "broken.png", "", []byte("not a png")}), 400, CodeBadRequest),
		q("truncated multipart", Config{}, func(t *testing.T) ([]byte, string) {
			b, ct := clsForm()(t)
			return b[:len(b)/2], ct
		}, 400, CodeBadRequest),
		q("octet-stream", Config{}, octet([]byte("x")), 415, CodeUnsupportedMediaType),
		q("url-encoded form", Config{}, func(*testing.T) ([]byte, string) { return []byte("model=x"), "application/x-www-form-urlencoded" }, 415, CodeUnsupportedMediaType),
		q("body over the limit", Config{MaxBodyBytes: 100 << 10}, clsForm(), 413, CodeTooLarge),
		q("model over the limit", Config{MaxModelBytes: 100 << 10}, clsForm(), 413, CodeTooLarge),
		q("too many images", Config{MaxImages: 3}, clsForm(), 413, CodeTooLarge),
		q("npy over the element limit", Config{MaxTensorElements: 10000}, form(func(t *testing.T) []part {
			return []part{model(t), {"calib", "x.npy", "", npyBytes(t, 2, 3, 48, 192)}}
		}), 413, CodeTooLarge),
		q("image over the element limit", Config{MaxTensorElements: 96*24*3 - 1}, clsForm(), 413, CodeTooLarge),
		q("preprocessed batch over the element limit", Config{MaxTensorElements: 2*3*48*192 - 1}, clsForm(), 413, CodeTooLarge),
		q("If node", Config{}, form(func(t *testing.T) []part {
			return []part{{"model", "m.onnx", "", heyJarvis(t)}, {"calib", "x.npy", "", npyBytes(t, 2, 16, 96)}}
		}), 422, CodeUnsupportedModel),
		q("npy of the wrong shape", Config{}, form(func(t *testing.T) []part {
			return []part{model(t), {"calib", "x.npy", "", npyBytes(t, 2, 5, 48, 192)}}
		}), 422, CodeUnsupportedModel),
		q("opset 5", Config{}, form(func(t *testing.T) []part {
			return []part{{"model", "m.onnx", "", oldOpsetModel(t)}, {"calib", "x.npy", "", npyBytes(t, 1, 1)}}
		}), 422, CodeUnsupportedModel),
	}
}

func unzip(t *testing.T, b []byte) (names []string, files map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Modified.Equal(zipTime) {
			t.Errorf("%s: time %v", f.Name, f.Modified)
		}
		names = append(names, f.Name)
		files[f.Name] = data
	}
	return names, files
}

// TestQuantizeIsJobQuantize: the zip holds exactly job.Quantize's outputs
// for the same model, files and options (built as the CLI builds them),
// and two runs give the same bytes.
func TestQuantizeIsJobQuantize(t *testing.T) {
	c := call{method: "POST", path: "/v1/quantize", body: clsForm(), wantStatus: 200}
	w := c.check(t)
	if w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
	}
	names, files := unzip(t, w.Body.Bytes())
	if !slices.Equal(names, []string{"quant_info.json", "quantized.onnx", "report.json", "warnings.json"}) {
		t.Fatalf("zip entries %v", names)
	}

	var paths []string
	imgs := map[string][]byte{}
	for i := 0; i < 4; i++ {
		p := fmt.Sprintf("img%02d.png", i)
		paths = append(paths, p)
		imgs[p] = calibPNG(i)
	}
	ds, err := prep.FromFiles(paths, func(p string) ([]byte, error) { return imgs[p], nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := job.ParseQuantizeOptions([]byte(clsOptions))
	if err != nil {
		t.Fatal(err)
	}
	res, err := job.Quantize(context.Background(), job.QuantizeRequest{Model: paddleCls(t), Calib: ds, Options: opts}, job.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"quantized.onnx": res.Model, "quant_info.json": res.QuantInfo, "report.json": res.Report} {
		if !bytes.Equal(files[name], want) {
			t.Errorf("%s differs from job.Quantize's", name)
		}
	}
	var warns []string
	if err := json.Unmarshal(files["warnings.json"], &warns); err != nil || warns == nil || !slices.Equal(warns, append([]string{}, res.Warnings...)) {
		t.Errorf("warnings.json %s, job warnings %q (%v)", files["warnings.json"], res.Warnings, err)
	}
	if w.Header().Get("X-Fixq-Warnings") != fmt.Sprint(len(res.Warnings)) {
		t.Errorf("X-Fixq-Warnings %q", w.Header().Get("X-Fixq-Warnings"))
	}
	if w2 := c.check(t); !bytes.Equal(w.Body.Bytes(), w2.Body.Bytes()) {
		t.Error("two runs gave different zips")
	}
}

// TestQuantizeSkipsBadImages: with skip_bad_images a broken file becomes a
// warning in warnings.json and the header.
func TestQuantizeSkipsBadImages(t *testing.T) {
	body := func(t *testing.T) ([]byte, string) {
		ps := append([]part{{"model", "m.onnx", "", paddleCls(t)}, {"options", "", "", []byte(`{"calib_size": 4, "skip_bad_images": true, "preprocess": {"size": [48, 192]}}`)}}, calibParts(2)...)
		return multipartBody(append(ps, part{"calib", "broken.png", "", []byte("not a png")})...)(t)
	}
	w := call{method: "POST", path: "/v1/quantize", body: body, wantStatus: 200}.check(t)
	_, files := unzip(t, w.Body.Bytes())
	var warns []string
	if err := json.Unmarshal(files["warnings.json"], &warns); err != nil || len(warns) == 0 || !bytes.Contains(files["warnings.json"], []byte("broken.png")) {
		t.Fatalf("warnings.json %s (%v)", files["warnings.json"], err)
	}
	if w.Header().Get("X-Fixq-Warnings") != fmt.Sprint(len(warns)) {
		t.Errorf("X-Fixq-Warnings %q, %d warnings", w.Header().Get("X-Fixq-Warnings"), len(warns))
	}
}
