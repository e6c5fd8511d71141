// Package tensor holds fixq's dense, row-major (C order) tensors.
//
// A Tensor is a dtype, a shape and exactly one typed backing slice that
// matches the dtype (F32 for Float32, I64 for Int64, and so on). The zero
// value is not a valid tensor; build tensors with New or the From helpers.
// A scalar has an empty (non-nil or nil) shape and one element.
//
// Tensors are plain data: kernels read their inputs and write fresh or
// pooled outputs (see Pool). Nothing here knows about ONNX protobuf.
package tensor
