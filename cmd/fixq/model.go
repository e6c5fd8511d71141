package main

import (
	"fmt"
	"os"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/tensor"
)

// loadModel decodes an ONNX file; errors name the file.
func loadModel(path string) (*graph.Model, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.IsDir() {
		return nil, 0, fmt.Errorf("%s is a directory, not an ONNX file", path)
	}
	if st.Size() > onnx.MaxModelBytes {
		return nil, 0, fmt.Errorf("%s: %d bytes, more than the %d fixq reads", path, st.Size(), onnx.MaxModelBytes)
	}
	m, err := onnx.Decode(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return m, st.Size(), nil
}

// dtypeName spells any ONNX element type, supported or not.
func dtypeName(d tensor.DType) string {
	if d.Supported() {
		return d.String()
	}
	if d == tensor.Undefined {
		return "?"
	}
	if name, ok := onnx.DataTypeName(int32(d)); ok {
		return fmt.Sprintf("%s (unsupported)", lower(name))
	}
	return d.String()
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
