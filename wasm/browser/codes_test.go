package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"testing"

	"fixq/core/graph"
	"fixq/core/job"
	"fixq/core/onnx"
	"fixq/core/prep"
	"fixq/core/tensor"
)

func readModel(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/models/cnn_fmnist.onnx")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// unsupportedModel is a one-node model whose op fixq has no kernel for.
func unsupportedModel(t *testing.T) []byte {
	t.Helper()
	m := &graph.Model{IRVersion: 7, Opsets: map[string]int64{"": 13}, Graph: &graph.Graph{
		Name:    "g",
		Inputs:  []graph.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: []graph.Dim{{Value: 1}, {Value: 1}, {Value: 4}, {Value: 4}}}},
		Outputs: []graph.ValueInfo{{Name: "y", DType: tensor.Float32}},
		Nodes:   []*graph.Node{{Name: "weird_0", OpType: "NoSuchOp", Inputs: []string{"x"}, Outputs: []string{"y"}}},
	}}
	b, err := onnx.EncodeBytes(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Each case is an error the real core returns for a kind of bad input;
// the code is what fixq.d.ts promises for that kind.
func TestErrorCodesOfCoreErrors(t *testing.T) {
	model := readModel(t)
	ctx := context.Background()
	files := func(m map[string][]byte) *prep.Dataset {
		var paths []string
		for p := range m {
			paths = append(paths, p)
		}
		d, err := prep.FromFiles(paths, func(p string) ([]byte, error) { return m[p], nil }, false)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	good := files(map[string][]byte{"a.png": pngOf(t, 28, 28), "b.png": pngOf(t, 28, 28)})
	quantize := func(ctx context.Context, model []byte, d *prep.Dataset, opts string, lim job.Limits) error {
		o, err := job.ParseQuantizeOptions([]byte(opts))
		if err != nil {
			return withCode(CodeBadOptions, err)
		}
		_, err = job.Quantize(ctx, job.QuantizeRequest{Model: model, Calib: d, Options: o}, lim, nil)
		return err
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, noImages := prep.FromFiles([]string{"a.txt"}, nil, false)
	_, npyErr := prep.FromNPY(bytes.NewReader([]byte("not npy")))
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"not onnx", quantize(ctx, []byte("this is not a model"), good, `{"preprocess":{"gray":true}}`, job.Limits{}), CodeBadModel},
		{"empty model", quantize(ctx, nil, good, `{"preprocess":{"gray":true}}`, job.Limits{}), CodeBadModel},
		{"model too large", quantize(ctx, model, good, `{"preprocess":{"gray":true}}`, job.Limits{MaxModelBytes: 100}), CodeLimit},
		{"too many images", quantize(ctx, model, good, `{"preprocess":{"gray":true}}`, job.Limits{MaxImages: 1}), CodeLimit},
		{"unknown option", quantize(ctx, model, good, `{"calib_sise":3}`, job.Limits{}), CodeBadOptions},
		{"bad preprocess", quantize(ctx, model, good, `{"preprocess":{"layout":"chwn"}}`, job.Limits{}), CodeBadOptions},
		{"broken image", quantize(ctx, model, files(map[string][]byte{"a.png": []byte("garbage")}), `{"preprocess":{"gray":true}}`, job.Limits{}), CodeBadData},
		{"no images", noImages, CodeBadData},
		{"bad npy", npyErr, CodeBadData},
		{"cancelled", quantize(cancelled, model, good, `{"preprocess":{"gray":true}}`, job.Limits{}), CodeAborted},
		{"unsupported op", func() error {
			_, err := job.Inspect(ctx, unsupportedModel(t), job.InspectOptions{}, job.Limits{})
			return err
		}(), CodeUnsupported},
		{"unknown target", func() error {
			_, err := job.Inspect(ctx, model, job.InspectOptions{Target: "DPUCZDX8G_B9999"}, job.Limits{})
			return err
		}(), CodeBadOptions},
		{"wrapped cancel", fmt.Errorf("batch 3: %w", context.Canceled), CodeAborted},
		{"coded", errorf(CodeBadRequest, "onnx: looks like a model error but the glue knows better"), CodeBadRequest},
		{"other", errors.New("something else"), CodeFailed},
	} {
		if c.err == nil {
			t.Errorf("%s: the core returned no error", c.name)
			continue
		}
		if got := errorCode(c.err); got != c.want {
			t.Errorf("%s: code %s, want %s (error: %v)", c.name, got, c.want, c.err)
		}
	}
}

func TestParseInspectOptions(t *testing.T) {
	m, err := job.LoadModel(readModel(t), job.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	o, err := parseInspectOptions([]byte(`{"target":"DPUCZDX8G_B4096","input_shape":[1,1,28,28],"clock_mhz":200}`), m)
	if err != nil {
		t.Fatal(err)
	}
	if o.Target != "DPUCZDX8G_B4096" || o.ClockMHz != 200 || fmt.Sprint(o.InputShapes) != "map[input:[1 1 28 28]]" {
		t.Errorf("got %+v", o)
	}
	if o, err := parseInspectOptions(nil, m); err != nil || o.Target != "" || o.InputShapes != nil {
		t.Errorf("empty options: %+v %v", o, err)
	}
	for _, bad := range []string{
		`{"targt":"x"}`,
		`{"input_shape":[1,1,28,28],"input_shapes":{"input":[1,1,28,28]}}`,
		`{"input_shape":[1,-1,28,28]}`,
		`{"clock_mhz":-5}`,
		`[1,2]`,
	} {
		if _, err := parseInspectOptions([]byte(bad), m); err == nil || errorCode(err) != CodeBadOptions {
			t.Errorf("%s: want a BAD_OPTIONS error, got %v", bad, err)
		}
	}
}

func TestParseEvaluateOptions(t *testing.T) {
	o, err := parseEvaluateOptions([]byte(`{"preprocess":{"gray":true,"mean":[0.5],"std":[0.5]},"limit":10,"batch_size":4}`))
	if err != nil || !o.Preprocess.Gray || o.Limit != 10 || o.BatchSize != 4 {
		t.Errorf("got %+v, %v", o, err)
	}
	for _, bad := range []string{`{"limt":1}`, `{"limit":-1}`, `{"preprocess":{"std":[0]}}`} {
		if _, err := parseEvaluateOptions([]byte(bad)); err == nil || errorCode(err) != CodeBadOptions {
			t.Errorf("%s: want a BAD_OPTIONS error, got %v", bad, err)
		}
	}
}
