// Package onnx decodes and encodes ONNX files (ModelProto and TensorProto)
// to and from fixq's graph.Model and tensor.Tensor, with types generated
// from the official onnx.proto (package onnxpb; `make proto` regenerates).
//
// Decode treats its input as untrusted: sizes are checked before
// allocation, every error names the node or tensor, and nothing panics.
// Encode is deterministic, so the same Model always gives the same bytes.
package onnx
