// Package dpu describes AMD/Xilinx DPU targets and checks an ONNX model
// against one, in the manner of Vitis AI's Inspector, then estimates how
// long the DPU part takes. Section numbers (§) refer to the project's fact
// sheet, DPU-ARITHMETIC.md.
//
// # Targets
//
// The built-in targets (targets.json, embedded) restate Vitis AI's target
// prototxt files: DPUCZDX8G_ISA1_B512 ... B4096 and DPUCVDX8G_ISA3_C32B1
// (§4.1, §4.2, §4.5). LookupTarget finds one by name; DefaultTargetName is
// the B4096.
//
// # Inspector
//
// Inspect walks the graph once in topological order and gives every node a
// device: DPU (with the engine that runs it), CPU (with the hardware
// constraint it broke, worded like the Vitis AI messages of §5.3), USER
// (graph inputs) or CONST (shape computations on constants, which should be
// folded before deployment). The rules are those of §4.3-4.4 and §5.2:
// conv limits from UG1414 (kernel, stride, dilation·ic ≤ 256·cp,
// pad ≤ (k-1)·dilation, kw·kh·ceil(ic/cp) ≤ bank_depth, oc ≤ 256·cp),
// depthwise conv and pooling on the ALU within alu_limit and pad_limit,
// transposed conv with kernel/stride in 1-16 and no output_padding,
// group conv only for group 1 or group = input channels, eltwise Add/Mul
// of same-shape tensors, nearest resize with an integer scale, bilinear
// resize with scale 2/4/8 (2/4 with half-pixel centres), zero constant
// Pad, Reshape-like ops only after a DPU node and with dim 0 kept,
// activations fused into the producing engine when it lists them
// (Relu, Clip(0,6) = ReLU6, LeakyRelu 0.1 = 26/256), BatchNormalization
// and per-channel constant Add/Sub/Mul/Div folded into a preceding conv,
// HardSigmoid (alpha 1/6) and HardSwish on the ALU, Sigmoid/Tanh/Softmax/
// Exp on the CPU, Gemm/MatMul with a constant 2-D weight as a 1x1 conv.
// Nodes are then grouped into subgraphs: maximal connected sets of DPU (or
// CPU) nodes, where two nodes connect when one reads the other's output.
// The compiler's own decisions (the real Inspector compiles each pattern
// with xcompiler, §5.2) are not reproduced: this is a rule-based check.
//
// # Latency model
//
// EstimateLatency gives every DPU compute layer a compute time and a memory
// time and charges the larger, with no efficiency factor (1.0):
//
//	compute_us = cycles / clock_MHz
//	memory_us  = bytes / (DDR GB/s · 1e3)
//	layer_us   = max(compute_us, memory_us)
//	latency    = Σ layer_us;  FPS = batch · 1000 / latency_ms  (one core)
//
// bytes counts int8 weights and bias (one byte per output channel), every
// non-constant input activation and the output activation, each read from
// or written to DDR once per layer (the on-chip feature banks are 2×256 KiB
// on the B4096, too small to keep a whole layer's maps between layers).
// The DDR bandwidth is the target's ddr_gbps or DefaultDDRGBps (4.8 GB/s,
// see there). Cycles, with ceil(a/b) = ⌈a/b⌉, OH·OW the output pixels and
// PP/ICP/OCP the conv engine's pixel/input-channel/output-channel
// parallelism (§4.1):
//
//	conv, Gemm as 1x1:  ceil(OH·OW/PP) · KH·KW·ceil(IC/ICP) · ceil(OC/OCP)
//	  - assumption: PP output pixels of the flattened OH·OW plane run
//	    together (no per-row tail), one cycle per PP×ICP×OCP MAC block;
//	  - channel augmentation: when IC < ICP and IC·KW ≤ channel_num, the
//	    KW taps are packed into the channel lanes, so KH·KW·ceil(IC/ICP)
//	    becomes KH·ceil(IC·KW/ICP) if smaller (our reading of
//	    channel_augmentation; it matters only for first layers).
//	transposed conv:    ceil(OH·OW/PP) · ceil(IC/ICP) · ceil(OC/OCP) ·
//	                    ceil(KH/SH) · ceil(KW/SW)   (taps per output pixel)
//	depthwise, pools:   ceil(OH·OW/PP_alu) · ceil(C/CP_alu) · KH·KW
//	  (global pools: KH×KW = H×W, one output pixel)
//	depthwise transposed conv, bilinear resize:
//	                    ceil(OH·OW/PP_alu) · ceil(C/CP_alu) · ceil(KH/SH)·ceil(KW/SW)
//	ALU pointwise (standalone LeakyRelu, HardSigmoid, HardSwish, BN):
//	                    ceil(H·W/PP_alu) · ceil(C/CP_alu)
//	eltwise:            ceil(H·W/PP_elt) · ceil(C/CP_elt) · inputs
//
// Fused nodes (activations, folded BN) and layout nodes (reshape, concat,
// zero pad, nearest resize) cost nothing; CPU nodes are listed, not timed.
// Weight loading is not overlapped across layers, instruction fetch and
// per-layer start-up are ignored.
//
// # Emulator
//
// Compile turns fixq's QDQ export into a Program (int8 initializers behind
// DequantizeLinear are the parameters; every [Add ε] -> QuantizeLinear ->
// DequantizeLinear chain gives its value a fix_pos from the power-of-two
// scale and disappears; LeakyRelu alpha 26/256, HardSigmoid 2731/16384,
// HardSigmoid -> Q/DQ fp 7 -> Mul and pool -> Mul gain become the §3
// approximations again). CompileResult does the same from the quantizer's
// in-memory result (prepared model + plan). Both give the same program.
// Run quantizes the float inputs the DPU reads (DPU_ROUND, §3.12), runs
// the steps and dequantizes int8 outputs; Values lists every int8 tensor
// of the last run with its fix_pos (fixq run --dpu --dump).
//
// Integer kernels (§2.1, §3, §6): Conv (any group; im2row + an int8 GEMM
// with exact int32 sums, two products per 64-bit multiply, emu_gemm.go),
// depthwise Conv (direct), ConvTranspose (scatter), Gemm/MatMul as a 1x1
// conv, each with bias, soft-fused ReLU / ReLU6 / LeakyReLU and one
// DPU_ROUND at shift_cut with saturation; MaxPool, GlobalMaxPool;
// AveragePool, GlobalAveragePool and spatial ReduceMean as window sum ·
// N/2^M; Add/Sum (+ReLU) and Mul with numpy broadcasting; Concat;
// HardSigmoid; HardSwish; standalone ReLU / ReLU6 / LeakyReLU; data
// movement (Reshape, Flatten, Transpose, Slice, nearest Resize, Pad without
// a value, ...) by core/ops' dtype-generic kernels on the int8 data. Every
// other node runs in float (core/ops) on exactly dequantized inputs, and
// any output with a fix_pos is quantized with DPU_ROUND in float64, as the
// runtime does at a CPU -> DPU boundary (§3.11). The emulator matches the
// quantizer's simulation (core/quant doc.go, "The simulation contract")
// bit for bit; emu_models_test.go checks every int8 tensor on the
// Fashion-MNIST CNN and PaddleOCR cls/det.
//
// Choices where the fact sheet says the hardware is not public (§7), made
// the same way in the simulation:
//
//   - Which values are int8 follows the quantizer's plan, not the
//     Inspector. Program.Inspect reports the Inspector's device per step;
//     a quantized node the target cannot take (e.g. a broadcast Mul) still
//     computes its XIR fix op, as the CPU runner's integer reference does,
//     so the numbers do not depend on the target.
//   - Negative shift_bias (§7 item 3): the accumulator is widened by
//     -shift_bias fraction bits and the bias added exactly (no rounding of
//     the bias), then one DPU_ROUND. In general the exact value
//     acc·2^-(fw+fi) + b·2^-fb is held as V·2^-E, E = max(fw+fi, fb, 0).
//   - LeakyReLU (§7 item 1): x·26/256 on the exact accumulator, one
//     rounding at 8+shift_cut: y = DPU_ROUND(acc·26 / 2^(8+shift_cut)).
//   - Accumulator width (§7 item 2): sums are exact (int32 per GEMM tile,
//     int64 after the bias); no overflow or 24-bit limit is modelled.
//   - Eltwise (§7 item 4): inputs aligned to the largest input fix_pos
//     (CPUTASK), summed exactly, one rounding; Mul at the sum of the fix
//     positions. Concat inputs with another fix_pos are rescaled one by
//     one with DPU_ROUND.
//   - Hard-sigmoid clamps x+3 to [0, 6] (the simulation's relu6); CPUTASK
//     has no upper clamp, which gives the same int8 whenever fo >= 7.
//   - Average pools: zero padding, full-window divisor; N/2^M from the
//     plan, or recovered exactly from the QDQ gain N·window/2^M.
//   - NaN inputs quantize to 0; every int8 result saturates to [-128, 127].
package dpu
