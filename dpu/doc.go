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
package dpu
