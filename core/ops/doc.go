// Package ops holds fixq's float reference kernels, one file per ONNX
// operator named after its op_type (conv.go for Conv), and one explicit
// registry (Lookup) from op_type to Kernel.
//
// A Kernel reads its inputs (nil for an omitted optional input), never
// modifies them, and returns fresh outputs. Float32 outputs should come from
// Ctx.NewFloat32 so the engine can recycle their storage; a kernel may
// return one of its inputs (or a Reshaped view of it) unchanged, e.g.
// Identity and Reshape, and the engine accounts for the aliasing.
//
// Errors name the node (Node.Errorf) and say what is wrong. Unknown or
// unsupported attribute values are errors, never silently ignored.
package ops
