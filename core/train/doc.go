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
// The package imports neither core/quant nor anything platform-specific:
// core/train/finetune joins it to the quantizer.
package train
