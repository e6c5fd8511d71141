// Package quant is fixq's post-training quantizer for the DPU's INT8
// scheme (Vitis AI style: signed int8, per-tensor power-of-two scales), its
// fake-quant simulation and its QDQ ONNX export. Section numbers (§) refer
// to /work/shared/DPU-ARITHMETIC.md, the fact sheet this package follows.
//
// # Pipeline (Quantize)
//
//  1. passes.Prepare on a clone of the model (constant folding, Identity /
//     Dropout removal, BatchNormalization folding, HardSwish/HardSigmoid
//     pattern fusion), with the input shapes of the first calibration batch.
//  2. Cross-layer equalization if Config.CLE (cle.go): Conv, ConvTranspose
//     and Gemm pairs through ReLU, LeakyReLU, ReLU6 (replaced by ReLU, with
//     a warning), pooling and Flatten, swept until the scales settle.
//  3. A float run of the first batch records every value's dtype and shape
//     (probe.go); the plan (plan.go) decides the quantization points.
//  4. Weights, biases and other constants get their fix_pos once (params.go).
//  5. Calibration (calibrate.go) over up to Config.CalibSize samples.
//  6. Shift repairs (constraints.go) and re-quantized parameters.
//  7. Bias correction if Config.BiasCorrection (biascorr.go): each
//     Conv/Gemm bias minus the expected shift ΔW·E[x] of its rounded
//     weights on its quantized calibration inputs, re-quantized at its
//     fix_pos (two passes over the calibration data). The report's float
//     reference keeps the uncorrected biases.
//     Then fast fine-tuning if Config.FastFinetune (adaquant.go): AdaQuant
//     (core/train) fine-tunes each conv-like layer's weights and bias in
//     graph order on the calibration samples, minimising the MSE between
//     its quantized output and the float model's with the quantized,
//     already fine-tuned prefix as input (straight-through estimator, Adam,
//     seeded); then parameter fix_pos, calibration and repairs run again
//     from scratch. The fine-tuned values lie on their int8 grids, so
//     re-quantizing them is lossless unless a repair lowers a fix_pos (a
//     warning). The report still compares with the original float model.
//  8. The report pass (SQNR per activation against the float model, on the
//     calibration data again), the QDQ export and the quant-info JSON.
//
// # Quantization points (plan.go)
//
// A point is a float32 tensor that is stored as int8 with a fix_pos fp
// (real value = q·2^-fp). Points are: model inputs read by the DPU (maxmin,
// §1.3 item 3); the weights and biases of Conv, ConvTranspose, Gemm and
// MatMul with a constant B (each int8 with its own fix_pos, std_round,
// §1.4); other constants read by DPU ops; and the outputs of DPU nodes.
// Soft fusion (§2.1): a conv-like node whose only reader is Relu,
// Clip(0,6) or LeakyRelu(0.1), and an Add whose only reader is Relu, is not
// quantized at its own output, only at the activation's. Data-movement ops
// (MaxPool, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Pad, Slice,
// Split, Gather, nearest Resize, ...) copy their input's fix_pos (§3.8-3.10)
// and, if their input is float, stay float. Values that are not float32
// (shape arithmetic, indices) are never quantized.
//
// CPU side: ops the DPU does not run (Softmax, Sigmoid, Tanh, Div, Sub,
// LayerNorm pieces, ...), LeakyRelu with a slope other than 0.1 and
// HardSigmoid other than relu6(x+3)/6 (with a warning), AveragePool with
// count_include_pad=0 and padding or ceil_mode (warning), ReduceMean over
// axes other than H,W, and the nodes in Config.Float run in float on
// dequantized inputs. Their outputs are float; a DPU node that reads one
// quantizes it as a point of its own (calibrated like any activation).
// Graph outputs: an output produced by a DPU node is quantized (the DPU
// writes int8 and the CPU dequantizes it); one produced by a CPU node is
// float.
//
// # Calibration (calibrate.go)
//
// Batches come from a BatchSource (Next returns io.EOF at the end; batch on
// dim 0). Like vai_q_pytorch, calibration runs the quantized prefix: each
// batch goes through the simulator, every input/activation point chooses
// this batch's fix_pos (SearchFixPos with its method) and is then quantized
// at the mode of all batches so far, so later layers are calibrated on what
// they will see after quantization, approximations included. The final
// fix_pos is the mode over batches, the smallest on ties (§1.3 item 5); the
// batch size therefore matters (the tests use batches of 10). The shift
// repairs happen after calibration, as vai_q_pytorch does them at export.
// The context is checked between batches; ProgressFunc reports samples.
//
// # The simulation contract (sim.go)
//
// The Simulator defines the numbers the integer DPU emulator must match bit
// for bit. Every rounding is listed here:
//
//   - Parameters: q = sat(std_round(w·2^fp)) (ties away from zero) in
//     [-128,127]; the simulator computes with q·2^-fp.
//   - Model inputs and every activation point: q = sat(DPU_ROUND(x·2^fp))
//     with DPU_ROUND(v) = floor(v+0.5) (ties toward +inf), computed in
//     float64 from the float32 value, so no double rounding. NaN becomes 0.
//   - Conv/Gemm/MatMul: the float kernels sum int8-grid products; while
//     partial sums stay below 2^24 LSB (§2.3) float32 is exact, so the
//     result equals the int64 accumulator plus bias·2^shift_bias (negative
//     shift_bias included, exactly). ReLU/ReLU6 are exact. The output is
//     rounded once at fo.
//   - LeakyRelu (§3.1): x·26/256 for x < 0 in float64 on the exact
//     (unrounded) conv result, then one DPU_ROUND at fo. The integer order
//     of operations on the hardware is not public (§7 item 1); this is the
//     reading "(acc·26)/2^(8+shift_cut)" with one rounding.
//   - HardSigmoid (§3.2): relu6(x+3)·2731/2^14 in float64, one DPU_ROUND at
//     fo (repairs force fo >= 7 and fi >= 0).
//   - HardSwish (§3.3): h = sat(DPU_ROUND(relu6(x+3)·2731/2^14·2^7))/2^7,
//     then x·h in float64, one DPU_ROUND at fo (fo <= fi+7 enforced).
//   - AveragePool / GlobalAveragePool / ReduceMean over H,W (§3.4, §3.5):
//     the window sum S of the quantized input (zero padding, full-window
//     divisor) times N/2^M, one DPU_ROUND at fo. The table (3,5,6,7,14 square
//     kernels) then the search gives N, M for pools; ReduceMean uses the
//     search only (PT mean.py). S is recovered exactly from the float
//     kernel's average as round(avg·window·2^fi).
//   - Add/Sum (§3.6): exact float sum of the quantized inputs (their own
//     fix_pos, no alignment), one DPU_ROUND at fo; Mul likewise (exact
//     product). Concat (§3.7): each input rescaled to the output's own
//     fix_pos with DPU_ROUND. Data-movement ops: no rounding.
//
// sim_test.go checks these against plain integer loops written from §2.1
// and §6, bit for bit.
//
// # QDQ export (qdq.go, tiebreak.go, opset.go)
//
// Every input/activation point T becomes T_float -> [Add ε] ->
// QuantizeLinear -> DequantizeLinear -> T (int8, scale 2^-fp as float32,
// zero point int8 0); every parameter becomes an int8 initializer
// T_quantized read by a DequantizeLinear that outputs T. The approximations
// are written into the graph: LeakyRelu alpha 0.1015625; HardSigmoid alpha
// 2731/16384, beta 3·2731/16384; HardSwish as HardSigmoid -> Q/DQ at fp 7
// -> Mul; average pools followed by Mul with the gain N·window/2^M.
// onnxruntime's QuantizeLinear rounds half to even; the Add of ε = 2^-(r+1)
// LSB (r: the value's known fractional bits, tiebreak.go) makes it round
// half up like the DPU without moving any other value, so onnxruntime
// reproduces the simulator (100% identical int8 logits on cnn_fmnist's
// 10000 test images). The opset is raised to at least 13, rewriting
// attribute forms that became inputs (Clip, Pad, Slice, Squeeze, Unsqueeze,
// Split, ReduceSum), Upsample/Resize-10 and pre-13 Softmax axes. Export is
// deterministic: the same model, data and config give the same bytes.
//
// # Documents
//
// QuantInfo (quant-info JSON): per tensor fix_pos, bit width, rounding,
// kind, inheritance; per node device (DPU/CPU and why), fusion, shift_cut
// and shift_bias, and the approximation constants. Report (report JSON):
// per activation point its fix_pos and SQNR in dB against the float model
// on the calibration data, with the float weight range of conv-like layers
// (before and after CLE when it ran).
package quant
