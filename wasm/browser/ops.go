//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"syscall/js"
	"unsafe"

	"fixq/core/job"
	"fixq/core/prep"
	"fixq/core/tensor"
)

// limits are the browser's job limits (the core's defaults).
var limits = job.Limits{}

func modelOf(msg js.Value) ([]byte, error) {
	return bytesOf(msg.Get("model"), "model")
}

// inspect: {model, options} -> {json, text}.
func inspect(ctx context.Context, msg js.Value) (map[string]any, error) {
	b, err := modelOf(msg)
	if err != nil {
		return nil, err
	}
	m, err := job.LoadModel(b, limits)
	if err != nil {
		if code := errorCode(err); code == CodeLimit {
			return nil, err
		}
		return nil, withCode(CodeBadModel, err)
	}
	opts, err := parseInspectOptions([]byte(stringOf(msg.Get("options"))), m)
	if err != nil {
		return nil, err
	}
	res, err := job.InspectModel(ctx, m, opts)
	if err != nil {
		return nil, err
	}
	return map[string]any{"json": string(res.JSON()), "text": res.Text(false)}, nil
}

// quantize: {model, calib, options} -> {model (transferred), quantInfo,
// report, warnings}.
func quantize(ctx context.Context, msg js.Value, progress job.Progress) (map[string]any, []any, error) {
	b, err := modelOf(msg)
	if err != nil {
		return nil, nil, err
	}
	opts, err := job.ParseQuantizeOptions([]byte(stringOf(msg.Get("options"))))
	if err != nil {
		return nil, nil, withCode(CodeBadOptions, err)
	}
	calib, err := datasetOf(msg.Get("calib"), false)
	if err != nil {
		return nil, nil, err
	}
	res, err := job.Quantize(ctx, job.QuantizeRequest{Model: b, Calib: calib, Options: opts}, limits, progress)
	if err != nil {
		return nil, nil, err
	}
	model := toArrayBuffer(res.Model)
	warnings := make([]any, len(res.Warnings))
	for i, w := range res.Warnings {
		warnings[i] = w
	}
	return map[string]any{
		"model":     model,
		"quantInfo": string(res.QuantInfo),
		"report":    string(res.Report),
		"warnings":  warnings,
	}, []any{model}, nil
}

// datasetOf translates a Calib message (see doc.go) into a prep.Dataset.
// Files stay Blobs until prep loads each one for its batch.
func datasetOf(v js.Value, labelled bool) (*prep.Dataset, error) {
	if v.Type() != js.TypeObject {
		return nil, errorf(CodeBadData, "no data given")
	}
	switch kind := stringOf(v.Get("kind")); kind {
	case "files":
		names, blobs := v.Get("names"), v.Get("blobs")
		n := names.Length()
		if blobs.Length() != n {
			return nil, errorf(CodeBadRequest, "fixq worker: %d names for %d blobs", n, blobs.Length())
		}
		byName := make(map[string]js.Value, n)
		paths := make([]string, n)
		for i := 0; i < n; i++ {
			p := stringOf(names.Index(i))
			if _, dup := byName[p]; dup {
				return nil, errorf(CodeBadData, "two files are named %q", p)
			}
			byName[p] = blobs.Index(i)
			paths[i] = p
		}
		d, err := prep.FromFiles(paths, func(p string) ([]byte, error) { return readBlob(byName[p]) }, labelled)
		return d, withCode(CodeBadData, err)
	case "npy":
		b, err := bytesOf(v.Get("data"), "npy data")
		if err != nil {
			return nil, err
		}
		d, err := prep.FromNPY(bytes.NewReader(b))
		return d, withCode(CodeBadData, err)
	case "tensor":
		return tensorDataset(v.Get("data"), v.Get("shape"))
	default:
		return nil, errorf(CodeBadRequest, "fixq worker: calibration kind %q is not files, npy or tensor", kind)
	}
}

// tensorDataset copies a Float32Array [N, ...] into a dataset.
func tensorDataset(data, shape js.Value) (*prep.Dataset, error) {
	if !data.InstanceOf(float32Array) {
		return nil, errorf(CodeBadData, "tensor calibration data must be a Float32Array")
	}
	if shape.Type() != js.TypeObject || shape.Length() < 1 || shape.Length() > 8 {
		return nil, errorf(CodeBadData, "tensor calibration data needs a shape [N, ...] of rank 1 to 8")
	}
	dims := make([]int, shape.Length())
	count := 1
	for i := range dims {
		d := shape.Index(i)
		if d.Type() != js.TypeNumber || d.Float() != float64(d.Int()) || d.Int() < 1 || d.Int() > 1<<30 {
			return nil, errorf(CodeBadData, "tensor shape %s: dim %d is not a positive integer", js.Global().Get("JSON").Call("stringify", shape).String(), i)
		}
		dims[i] = d.Int()
		if count > (1<<31)/dims[i] {
			return nil, errorf(CodeBadData, "tensor shape %v is too large", dims[:i+1])
		}
		count *= dims[i]
	}
	if n := data.Length(); n != count {
		return nil, errorf(CodeBadData, "tensor shape %v holds %d values but the Float32Array has %d", dims, count, n)
	}
	f := make([]float32, count)
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*count)
	js.CopyBytesToGo(dst, uint8Array.New(data.Get("buffer"), data.Get("byteOffset"), 4*count))
	return &prep.Dataset{Tensor: tensor.FromFloat32(f, dims...)}, nil
}
