// Package graph is fixq's in-memory model: a Model holds one Graph of Nodes
// in ONNX terms (op_type, named inputs/outputs, typed attributes) with
// initializers decoded into tensors. It is independent of the protobuf
// types (package core/onnx converts both ways) so passes, kernels and the
// quantizer work on plain Go values.
//
// Invariants after core/onnx.Decode (checked by Validate):
//   - Nodes are topologically sorted; there are no cycles.
//   - Every value name is produced exactly once (graph input, initializer
//     or one node output); every node input is produced.
//   - Node names are unique and non-empty (Decode names unnamed nodes
//     "<op_type>_<index>").
package graph
