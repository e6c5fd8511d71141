// Package onnx decodes and encodes ONNX files (ModelProto and TensorProto)
// to and from fixq's graph.Model and tensor.Tensor.
//
// It reads and writes the protobuf wire format directly (package
// google.golang.org/protobuf/encoding/protowire, see wire.go), for the
// fields of the official onnx.proto that fixq uses, without protobuf-go's
// reflection-based runtime, which would add about 1.9 MB to the wasm
// builds. It accepts exactly the inputs proto.Unmarshal accepts and writes
// the bytes proto.Marshal writes; the types generated from onnx.proto
// (package onnxpb; `make proto` regenerates) are the reference the tests
// compare against.
//
// Decode treats its input as untrusted: sizes are checked before
// allocation, every error names the node or tensor, and nothing panics.
// Encode is deterministic, so the same Model always gives the same bytes.
package onnx
