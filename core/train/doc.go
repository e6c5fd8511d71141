// Package train fine-tunes quantized models: backward passes for the
// layer types of fixq's CNNs, fake quantization with a straight-through
// estimator, Adam and SGD, and on top of them AdaQuant (fast fine-tuning
// on the calibration set, adaquant.go) and the training step of
// quantization-aware training (qat.go).
//
// # Model of the package
//
// A Net runs a prepared float model (core/passes.Prepare: BatchNorm
// folded) forward with the core/ops kernels, keeping every value, and
// backward: each op's gradient is written once (grad_*.go) and checked
// against central finite differences of the forward kernels
// (grad_test.go). A Spec (spec.go) describes where the model is
// quantized, the plan of core/quant reduced to tensor -> (fix_pos,
// rounding) and node -> DPU approximation. With a Spec the forward pass is
// the fake-quantized model:
//
//   - initializers that are points (weights, biases, constants) are read
//     as sat(std_round(w·2^fp))·2^-fp; the optimizer updates the float
//     ("master") values W, and Net.Sync re-quantizes them;
//   - model inputs and activation points are rounded with DPU_ROUND
//     (floor(v+0.5)) and saturated as they are produced;
//   - LeakyRelu, HardSigmoid, HardSwish and the average pools compute the
//     DPU approximations of DPU-ARITHMETIC.md §3 (26/256, 2731/2^14, the
//     hard-swish inner factor at fix_pos 7, the reciprocal gain).
//
// The straight-through estimator passes a point's gradient unchanged
// where x·2^fp lies inside the int8 clamp range [-128, 127] and blocks it
// outside. The quantized forward pass computes in float32 where core/quant's
// simulator rounds exact float64 values: the two can differ by one LSB on
// rare ties, which matters for training not at all; everything exported
// is re-quantized and simulated by core/quant.
//
// # AdaQuant (adaquant.go)
//
// Layer by layer in graph order, each quantized Conv/Gemm/MatMul (with its
// fused activation) is cut out as a model of its own and its weights and
// bias are trained with Adam to minimise the MSE between its quantized
// output and the float model's output on the calibration samples. Its
// input comes from the quantized model whose earlier layers are already
// fine-tuned, so errors do not compound. Two paused forward passes per
// calibration batch (State: the float model and the quantized one) are
// advanced from layer to layer, so each node runs once per pass in all and
// only the frontier values plus one layer's inputs and targets are held.
// Sampling is seeded (math/rand/v2 PCG), every kernel is deterministic,
// so a seed gives the same weights bit for bit. The best parameters seen
// (whole-set MSE checked every tenth of the iterations) are kept, and a
// layer that does not improve keeps its PTQ values. core/quant runs it
// (Config.FastFinetune) and re-calibrates afterwards.
//
// # QAT (qat.go)
//
// TrainEpoch trains a Net with softmax cross-entropy on labelled Samples;
// core/train/finetune wraps it into quantization-aware training between
// core/quant's calibration and export.
//
// The package imports neither core/quant nor anything platform-specific.
package train
