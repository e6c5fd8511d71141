package onnx

import (
	"os"
	"path/filepath"
	"testing"

	"fixq/internal/testassets"
)

// FuzzDecode: Decode never panics; whatever it accepts satisfies the
// graph invariants and survives encode -> decode unchanged. Seeds are real
// models (the PaddleOCR classifier, two openWakeWord heads) and ONNX
// test-suite models; `make fuzz` runs it for 30 s.
func FuzzDecode(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeBytes(b)
		if err != nil {
			return
		}
		checkDecoded(t, m)
		enc, err := EncodeBytes(m)
		if err != nil {
			return // graph attributes (control flow) cannot be re-encoded
		}
		m2, err := DecodeBytes(enc)
		if err != nil {
			t.Fatalf("re-decode of fixq's own output failed: %v", err)
		}
		if d := diffModels(m, m2); d != "" {
			t.Fatalf("round trip changed the model: %s", d)
		}
	})
}

func addSeedFile(f *testing.F, path string) {
	b, err := os.ReadFile(testassets.Require(f, path))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

// addDecodeSeeds adds the real and test-suite seed models.
func addDecodeSeeds(f *testing.F) {
	for _, path := range []string{
		testassets.PaddleCls(f),
		testassets.Model(f, "openwakeword/models/hey_rhasspy_v0.1.onnx"),
		testassets.Model(f, "openwakeword/models/weather_v0.1.onnx"),
	} {
		addSeedFile(f, path)
	}
	root := testassets.ONNXTestData(f)
	for _, name := range []string{
		"node/test_conv_with_strides_padding", "node/test_constant", "node/test_maxpool_2d_pads",
		"node/test_gemm_all_attributes", "node/test_clip", "node/test_reshape_extended_dims",
		"node/test_batchnorm_example", "node/test_if", "node/test_cast_FLOAT_to_DOUBLE",
		"pytorch-converted/test_Conv2d_depthwise_strided", "simple/test_single_relu_model",
	} {
		addSeedFile(f, filepath.Join(root, name, "model.onnx"))
	}
	f.Add([]byte{})
}
