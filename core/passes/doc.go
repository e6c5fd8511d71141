// Package passes holds the graph rewrites a quantizer needs before it can
// see a model the way the DPU compiler does. Each pass is a function on a
// *graph.Model that keeps the model's outputs (numerically, up to float
// rounding) and is tested on its own:
//
//   - ConstantsToInitializers: Constant nodes become initializers.
//   - RemoveIdentity: Identity and inference-mode Dropout disappear.
//   - FoldConstants: nodes computable without the model's data (constants,
//     and shape arithmetic such as PaddleOCR's Shape/Slice/Concat/Reshape
//     flatten) are evaluated once; a Reshape target that depends only on the
//     batch size is rewritten with ONNX's 0 ("copy this dim") so the model
//     keeps a dynamic batch.
//   - FoldBatchNorm: BatchNormalization after Conv/ConvTranspose/Gemm goes
//     into the weights and bias.
//   - FuseHardSwish / FuseHardSigmoid: written-out x*Clip(x+3,0,6)/6 and
//     Clip(x+3,0,6)/6 become single HardSwish / HardSigmoid nodes.
//   - RemoveDead: nodes and initializers nothing needs are dropped.
//
// Prepare runs them all in order. Passes never modify tensors they did not
// create: initializers are replaced, not edited in place, so a caller's
// model and the user's file stay untouched.
package passes
