package dpu

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Each case builds a one- or two-node model that sits just inside or just
// outside one limit. The limits are the fact sheet's (DPU-ARITHMETIC.md
// §4.2-4.4 for DPUCZDX8G_ISA1_B4096: conv kernel 1-16, stride 1-8,
// channel_parallel 16, bank_depth 2048; ALU kernel/stride 1-256, pad_left/top
// 0-15) and the expected messages are the wording the task asked for.
type inspectCase struct {
	name   string
	build  func(b *modelBuilder) string // returns the node to check
	device Device
	engine Engine
	// constraint, if set, must equal the node's constraint.
	constraint string
}

func conv1(b *modelBuilder, c convSpec, ic, h, w int) string {
	x := b.input("x", 1, ic, h, w)
	return b.conv("conv", x, c)
}

var inspectCases = []inspectCase{
	// Conv kernel range 1-16 (§4.3).
	{"kernel 16", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 16, kw: 16}, 16, 32, 32) }, DeviceDPU, EngineConv, ""},
	{"kernel 17", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 17, kw: 17}, 16, 32, 32) },
		DeviceCPU, "", "kernel 17x17 is not in DPU supported range 1-16"},
	{"kernel 1x17", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 1, kw: 17}, 16, 32, 32) },
		DeviceCPU, "", "kernel 1x17 is not in DPU supported range 1-16"},
	// Conv stride 1-8.
	{"stride 8", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, sh: 8, sw: 8}, 16, 64, 64)
	}, DeviceDPU, EngineConv, ""},
	{"stride 9", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, sh: 9, sw: 9}, 16, 64, 64)
	},
		DeviceCPU, "", "stride 9x9 is not in DPU supported range 1-8"},
	// pad <= (k-1)*dilation.
	{"pad 2 for k3", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, pads: [4]int{2, 2, 2, 2}}, 16, 8, 8)
	}, DeviceDPU, EngineConv, ""},
	{"pad 3 for k3", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, pads: [4]int{3, 0, 0, 0}}, 16, 8, 8)
	},
		DeviceCPU, "", "pad_top 3 is not in DPU supported range 0-2 ((kernel-1)*dilation)"},
	{"pad 4 for k3 d2", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, dh: 2, dw: 2, pads: [4]int{4, 4, 4, 4}}, 16, 8, 8)
	}, DeviceDPU, EngineConv, ""},
	// dilation·ic <= 256·cp = 4096.
	{"dilation 2 ic 2048", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, dh: 2, dw: 2}, 2048, 8, 8)
	}, DeviceDPU, EngineConv, ""},
	{"dilation 2 ic 2049", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, dh: 2, dw: 2}, 2049, 8, 8)
	},
		DeviceCPU, "", "dilation 2 x input channels 2049 = 4098 exceeds 256 x channel_parallel = 4096"},
	// kw·kh·ceil(ic/cp) <= bank_depth 2048.
	{"bank depth 2048", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 16, kw: 16}, 128, 16, 16) }, DeviceDPU, EngineConv, ""},
	{"bank depth 2304", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 16, kw: 16}, 129, 16, 16) },
		DeviceCPU, "", "kernel_w*kernel_h*ceil(input_channel/channel_parallel) = 16*16*9 = 2304 exceeds bank_depth 2048"},
	// oc <= 256·cp.
	{"oc 4096", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 4096}, 16, 4, 4) }, DeviceDPU, EngineConv, ""},
	{"oc 4097", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 4097}, 16, 4, 4) },
		DeviceCPU, "", "output channels 4097 exceed 256 x channel_parallel = 4096"},
	// Group conv: 1 (conv engine), = ic (ALU depthwise), in between: CPU.
	{"group 4 of 16", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, group: 4}, 16, 8, 8) },
		DeviceCPU, "", "group conv with 1 < group (4) < input channels (16) is not supported"},
	{"depthwise", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 16, kh: 3, kw: 3, group: 16}, 16, 8, 8) }, DeviceDPU, EngineALU, ""},
	// Depthwise on the ALU: kernel 1-256, pad_left 0-15.
	{"depthwise kernel 256", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 8, kh: 256, kw: 1, group: 8}, 8, 300, 4) }, DeviceDPU, EngineALU, ""},
	{"depthwise kernel 257", func(b *modelBuilder) string { return conv1(b, convSpec{oc: 8, kh: 257, kw: 1, group: 8}, 8, 300, 4) },
		DeviceCPU, "", "kernel 257x1 is not in DPU supported range 1-256"},
	{"depthwise pad_left 15", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 8, kh: 16, kw: 16, group: 8, pads: [4]int{0, 15, 0, 0}}, 8, 32, 32)
	}, DeviceDPU, EngineALU, ""},
	{"depthwise pad_left 16", func(b *modelBuilder) string {
		return conv1(b, convSpec{oc: 8, kh: 17, kw: 17, group: 8, pads: [4]int{0, 16, 0, 0}}, 8, 32, 32)
	}, DeviceCPU, "", "pad_left 16 is not in DPU supported range 0-15"},
	// LeakyRelu: 0.1 fuses into the conv (26/256), 0.2 goes to the CPU.
	{"leaky 0.1", func(b *modelBuilder) string {
		return b.unary("LeakyRelu", "act", conv1(b, convSpec{oc: 16}, 16, 4, 4), aFloat("alpha", 0.1))
	}, DeviceDPU, EngineFused, ""},
	{"leaky 0.2", func(b *modelBuilder) string {
		return b.unary("LeakyRelu", "act", conv1(b, convSpec{oc: 16}, 16, 4, 4), aFloat("alpha", 0.2))
	}, DeviceCPU, "", "LeakyRelu alpha 0.2 is not 0.1 (DPU uses 26/256)"},
	// Clip(0,6) is ReLU6 (opset 11+: bounds are inputs).
	{"clip 0..6", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 16}, 16, 4, 4)
		return b.node("Clip", "act", []string{x, b.constF("lo", []float32{0}), b.constF("hi", []float32{6})}, b.shapes[x])
	}, DeviceDPU, EngineFused, ""},
	{"clip 0..5", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 16}, 16, 4, 4)
		return b.node("Clip", "act", []string{x, b.constF("lo", []float32{0}), b.constF("hi", []float32{5})}, b.shapes[x])
	}, DeviceCPU, "", "Clip range [0, 5] is not ReLU [0, inf] or ReLU6 [0, 6]"},
	// Relu after a conv whose output has two readers can't fuse.
	{"relu unfusable", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 16}, 16, 4, 4)
		b.unary("Sigmoid", "other", x)
		return b.unary("Relu", "act", x)
	}, DeviceCPU, "", `Relu can't be fused into its producer: the output of Conv "conv" has other readers`},
	// Transposed conv.
	{"convtranspose", func(b *modelBuilder) string {
		x := b.input("x", 1, 16, 8, 8)
		return b.node("ConvTranspose", "ct", []string{x, b.weight("W", 16, 8, 4, 4)}, []int{1, 8, 16, 16},
			aInts("strides", 2, 2), aInts("pads", 1, 1, 1, 1))
	}, DeviceDPU, EngineConv, ""},
	{"convtranspose output_padding", func(b *modelBuilder) string {
		x := b.input("x", 1, 16, 8, 8)
		return b.node("ConvTranspose", "ct", []string{x, b.weight("W", 16, 8, 3, 3)}, []int{1, 8, 16, 16},
			aInts("strides", 2, 2), aInts("pads", 1, 1, 1, 1), aInts("output_padding", 1, 1))
	}, DeviceCPU, "", "transposed conv with output_padding is not supported"},
	// Pools on the ALU: kernel/stride 1-256.
	{"maxpool", func(b *modelBuilder) string { return b.pool("MaxPool", "p", b.input("x", 1, 8, 16, 16), 3, 2, 1) }, DeviceDPU, EngineALU, ""},
	{"avgpool stride 256", func(b *modelBuilder) string {
		return b.pool("AveragePool", "p", b.input("x", 1, 8, 300, 300), 2, 256, 0)
	}, DeviceDPU, EngineALU, ""},
	{"avgpool stride 257", func(b *modelBuilder) string {
		return b.pool("AveragePool", "p", b.input("x", 1, 8, 300, 300), 2, 257, 0)
	}, DeviceCPU, "", "stride 257x257 is not in DPU supported range 1-256"},
	{"global avg pool", func(b *modelBuilder) string {
		return b.node("GlobalAveragePool", "gap", []string{b.input("x", 1, 8, 7, 7)}, []int{1, 8, 1, 1})
	}, DeviceDPU, EngineALU, ""},
	// Eltwise.
	{"add", func(b *modelBuilder) string {
		return b.node("Add", "add", []string{b.input("x", 1, 8, 4, 4), b.input("y", 1, 8, 4, 4)}, []int{1, 8, 4, 4})
	}, DeviceDPU, EngineEltwise, ""},
	{"mul broadcast", func(b *modelBuilder) string {
		return b.node("Mul", "mul", []string{b.input("x", 1, 8, 4, 4), b.input("y", 1, 8, 1, 1)}, []int{1, 8, 4, 4})
	}, DeviceCPU, "", "eltwise Mul with broadcast ([1 8 4 4] and [1 8 1 1]) is not supported"},
	// Resize.
	{"resize nearest 2", func(b *modelBuilder) string {
		return b.node("Resize", "rs", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 8, 8, 8}, aString("mode", "nearest"))
	}, DeviceDPU, EngineLayout, ""},
	{"resize nearest 1.5", func(b *modelBuilder) string {
		return b.node("Resize", "rs", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 8, 6, 6}, aString("mode", "nearest"))
	}, DeviceCPU, "", "Resize scale 1.5x1.5 is not an integer"},
	{"resize linear 8", func(b *modelBuilder) string {
		return b.node("Resize", "rs", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 8, 32, 32},
			aString("mode", "linear"), aString("coordinate_transformation_mode", "asymmetric"))
	}, DeviceDPU, EngineALU, ""},
	{"resize linear 3", func(b *modelBuilder) string {
		return b.node("Resize", "rs", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 8, 12, 12},
			aString("mode", "linear"), aString("coordinate_transformation_mode", "asymmetric"))
	}, DeviceCPU, "", "Resize mode linear with scale 3 is not supported (2, 4 or 8)"},
	{"resize linear 8 half_pixel", func(b *modelBuilder) string {
		return b.node("Resize", "rs", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 8, 32, 32}, aString("mode", "linear"))
	}, DeviceCPU, "", "Resize mode linear with scale 8 is not supported (2 or 4 with half_pixel)"},
	{"resize align_corners", func(b *modelBuilder) string {
		return b.node("Resize", "rs", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 8, 8, 8},
			aString("mode", "linear"), aString("coordinate_transformation_mode", "align_corners"))
	}, DeviceCPU, "", "Resize with align_corners is not supported"},
	// Pad (opset 11+: pads are an input).
	{"pad constant", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Pad", "pad", []string{x, b.constI("pads", []int64{0, 0, 1, 1, 0, 0, 1, 1}, 8)}, []int{1, 8, 6, 6})
	}, DeviceDPU, EngineLayout, ""},
	{"pad reflect", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Pad", "pad", []string{x, b.constI("pads", []int64{0, 0, 1, 1, 0, 0, 1, 1}, 8)}, []int{1, 8, 6, 6},
			aString("mode", "reflect"))
	}, DeviceCPU, "", "Pad mode reflect is not supported"},
	{"pad channels", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Pad", "pad", []string{x, b.constI("pads", []int64{0, 1, 0, 0, 0, 1, 0, 0}, 8)}, []int{1, 10, 4, 4})
	}, DeviceCPU, "", "Pad on the batch or channel axis is not supported"},
	// Reshape: parent on DPU and dim 0 kept.
	{"reshape keeps dim 0", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Reshape", "rs", []string{x, b.constI("shape", []int64{1, -1}, 2)}, []int{1, 128})
	}, DeviceDPU, EngineLayout, ""},
	{"reshape changes dim 0", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Reshape", "rs", []string{x, b.constI("shape", []int64{8, -1}, 2)}, []int{8, 16})
	}, DeviceCPU, "", "First dimension is changed."},
	{"flatten of input", func(b *modelBuilder) string {
		return b.node("Flatten", "fl", []string{b.input("x", 1, 8, 4, 4)}, []int{1, 128})
	}, DeviceCPU, "", "The input of reshape is not on DPU."},
	// Gemm/MatMul with a constant 2-D weight: a 1x1 conv.
	{"gemm", func(b *modelBuilder) string {
		return b.node("Gemm", "fc", []string{b.input("x", 1, 2048), b.weight("W", 1000, 2048), b.weight("B", 1000)}, []int{1, 1000},
			aInt("transB", 1))
	}, DeviceDPU, EngineConv, ""},
	{"matmul 3-D", func(b *modelBuilder) string {
		return b.node("MatMul", "mm", []string{b.input("x", 1, 10, 64), b.weight("W", 64, 32)}, []int{1, 10, 32})
	}, DeviceCPU, "", "MatMul on a 3-D input is not supported (only 2-D)"},
	{"matmul of activations", func(b *modelBuilder) string {
		return b.node("MatMul", "mm", []string{b.input("x", 4, 64), b.input("y", 64, 32)}, []int{4, 32})
	}, DeviceCPU, "", "MatMul with a non-constant weight can't be assigned to DPU"},
	// Standalone LeakyRelu 0.1 runs on the ALU (alu_type leaky_relu).
	{"leaky 0.1 standalone", func(b *modelBuilder) string {
		return b.unary("LeakyRelu", "act", b.input("x", 1, 8, 4, 4), aFloat("alpha", 0.1))
	}, DeviceDPU, EngineALU, ""},
	// Standalone Relu has no engine to run on.
	{"relu standalone", func(b *modelBuilder) string { return b.unary("Relu", "act", b.input("x", 1, 8, 4, 4)) },
		DeviceCPU, "", `Relu can't be fused into its producer: its input comes from Input "x" on USER`},
	// Concat of graph inputs only.
	{"concat of inputs", func(b *modelBuilder) string {
		return b.node("Concat", "cat", []string{b.input("x", 1, 8, 4, 4), b.input("y", 1, 8, 4, 4)}, []int{1, 16, 4, 4}, aInt("axis", 1))
	}, DeviceCPU, "", "All input of concat are on CPU."},
	{"concat mixed axis 2", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Concat", "cat", []string{x, b.input("y", 1, 8, 4, 4)}, []int{1, 8, 8, 4}, aInt("axis", 2))
	}, DeviceCPU, "", "One of the input is from non-DPU device. And output is not 4d. And axis == 2 is not supported."},
	{"concat mixed channels", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		return b.node("Concat", "cat", []string{x, b.input("y", 1, 8, 4, 4)}, []int{1, 16, 4, 4}, aInt("axis", 1))
	}, DeviceDPU, EngineLayout, ""},
	// CPU-only ops.
	{"softmax", func(b *modelBuilder) string { return b.unary("Softmax", "sm", b.input("x", 1, 10)) }, DeviceCPU, "", "Softmax runs on CPU"},
	{"sigmoid", func(b *modelBuilder) string { return b.unary("Sigmoid", "sg", b.input("x", 1, 10)) }, DeviceCPU, "", "Sigmoid runs on CPU"},
	{"unknown op", func(b *modelBuilder) string { return b.unary("Erf", "erf", b.input("x", 1, 10)) }, DeviceCPU, "", "Erf can't be assigned to DPU"},
	// HardSigmoid: DPU form is alpha 1/6 (§3.2); ONNX's default 0.2 is not.
	{"hardsigmoid 1/6", func(b *modelBuilder) string {
		return b.unary("HardSigmoid", "hs", b.input("x", 1, 8, 4, 4), aFloat("alpha", 1.0/6), aFloat("beta", 0.5))
	}, DeviceDPU, EngineALU, ""},
	{"hardsigmoid 0.2", func(b *modelBuilder) string {
		return b.unary("HardSigmoid", "hs", b.input("x", 1, 8, 4, 4), aFloat("alpha", 0.2), aFloat("beta", 0.5))
	}, DeviceCPU, "", "HardSigmoid alpha 0.2 beta 0.5 is not alpha 1/6 beta 0.5 (DPU computes relu6(x+3)*2731/2^14)"},
	// BN after a conv folds; Relu after the BN fuses into the conv.
	{"conv bn relu", func(b *modelBuilder) string {
		x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
		bn := b.node("BatchNormalization", "bn", []string{x, b.weight("s", 8), b.weight("bb", 8), b.weight("m", 8), b.weight("v", 8)}, b.shapes[x])
		return b.unary("Relu", "relu", bn)
	}, DeviceDPU, EngineFused, ""},
}

func TestInspectConstraints(t *testing.T) {
	tgt, err := LookupTarget("DPUCZDX8G_ISA1_B4096")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range inspectCases {
		t.Run(c.name, func(t *testing.T) {
			b := newModel(13)
			name := c.build(b)
			rep, err := Inspect(b.m, b.shapes, tgt)
			if err != nil {
				t.Fatal(err)
			}
			nr := rep.Node(name)
			if nr == nil {
				t.Fatalf("no report for %q", name)
			}
			if nr.Device != c.device || nr.Engine != c.engine {
				t.Errorf("device %s engine %q, want %s %q (constraint %q)", nr.Device, nr.Engine, c.device, c.engine, nr.Constraint)
			}
			if nr.Constraint != c.constraint {
				t.Errorf("constraint\n got %q\nwant %q", nr.Constraint, c.constraint)
			}
			if c.device == DeviceCPU && nr.Constraint == "" {
				t.Errorf("CPU node without a constraint")
			}
		})
	}
}

// The fused chain conv -> BN -> Relu must land on the conv.
func TestInspectFusedInto(t *testing.T) {
	b := newModel(13)
	x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
	bn := b.node("BatchNormalization", "bn", []string{x, b.weight("s", 8), b.weight("bb", 8), b.weight("m", 8), b.weight("v", 8)}, b.shapes[x])
	b.unary("Relu", "relu", bn)
	rep, err := Inspect(b.m, b.shapes, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"bn", "relu"} {
		if got := rep.Node(n).FusedInto; got != "conv" {
			t.Errorf("%s fused into %q, want conv", n, got)
		}
	}
	if nl := rep.Node("conv").Layer.Nonlinear; nl != "relu" {
		t.Errorf("conv nonlinear %q, want relu", nl)
	}
}

// A shape-computing subgraph (Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape's shape) is CONST; the Reshape itself is judged on its data.
func TestInspectShapeSubgraphIsConst(t *testing.T) {
	b := newModel(13)
	x := conv1(b, convSpec{oc: 8}, 8, 4, 4)
	sh := b.node("Shape", "shape", []string{x}, []int{4})
	g := b.node("Gather", "gather", []string{sh, b.constI("idx0", []int64{0})}, []int{}, aInt("axis", 0))
	u := b.node("Unsqueeze", "unsq", []string{g, b.constI("axes", []int64{0}, 1)}, []int{1})
	c := b.node("Concat", "cat", []string{u, b.constI("minus1", []int64{-1}, 1)}, []int{2}, aInt("axis", 0))
	b.node("Reshape", "flat", []string{x, c}, []int{1, 128})
	rep, err := Inspect(b.m, b.shapes, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"shape", "gather", "unsq", "cat"} {
		if d := rep.Node(n).Device; d != DeviceConst {
			t.Errorf("%s: device %s, want CONST", n, d)
		}
	}
	if d := rep.Node("flat").Device; d != DeviceDPU {
		t.Errorf("flat: device %s, want DPU", d)
	}
	if rep.Summary.ConstNodes != 4 || rep.Summary.DPUSubgraphs != 1 || rep.Summary.CPUSubgraphs != 0 {
		t.Errorf("summary %+v, want 4 CONST nodes, 1 DPU and 0 CPU subgraphs", rep.Summary)
	}
}

// mixedModel: x -> c1 -> r1 -> c2 -> sig(CPU) -> c3 -> add(c3, c2) -> sm(CPU),
// plus a second branch x -> c4 -> tanh(CPU) -> out2.
// By hand: DPU components {c1,r1,c2,c3,add} (c2 reaches add directly) and
// {c4}: 2 DPU subgraphs; CPU components {sig}, {sm}, {tanh}: 3 CPU subgraphs.
func mixedModel() *modelBuilder {
	b := newModel(13)
	x := b.input("x", 1, 8, 8, 8)
	c1 := b.conv("c1", x, convSpec{oc: 8, kh: 3, kw: 3, pads: [4]int{1, 1, 1, 1}})
	r1 := b.unary("Relu", "r1", c1)
	c2 := b.conv("c2", r1, convSpec{oc: 8})
	sig := b.unary("Sigmoid", "sig", c2)
	c3 := b.conv("c3", sig, convSpec{oc: 8})
	add := b.node("Add", "add", []string{c3, c2}, []int{1, 8, 8, 8})
	sm := b.unary("Softmax", "sm", add, aInt("axis", 1))
	b.output(sm)
	c4 := b.conv("c4", x, convSpec{oc: 8})
	b.output(b.unary("Tanh", "tanh", c4))
	return b
}

func TestInspectSubgraphs(t *testing.T) {
	b := mixedModel()
	rep, err := Inspect(b.m, b.shapes, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if s.DPUSubgraphs != 2 || s.CPUSubgraphs != 3 {
		t.Errorf("subgraphs: %d DPU, %d CPU; want 2 and 3\n%+v", s.DPUSubgraphs, s.CPUSubgraphs, rep.Subgraphs)
	}
	if s.DPUNodes != 6 || s.CPUNodes != 3 || s.UserNodes != 1 {
		t.Errorf("nodes: %+v; want 6 DPU, 3 CPU, 1 USER", s)
	}
	if a, c := rep.Node("add").Subgraph, rep.Node("c1").Subgraph; a != c {
		t.Errorf("add in subgraph %d, c1 in %d: want the same", a, c)
	}
	if rep.Node("x").Device != DeviceUser {
		t.Errorf("graph input device %s, want USER", rep.Node("x").Device)
	}
}

func TestReportText(t *testing.T) {
	b := mixedModel()
	rep, err := Inspect(b.m, b.shapes, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, true); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"target info:\nDPUCZDX8G_ISA1_B4096\n",
		"The operators assigned to the CPU are as follows:\n",
		"node name  op type  hardware constraints\n",
		"sig        Sigmoid  Sigmoid runs on CPU\n",
		"The model splits into 2 DPU and 3 CPU subgraphs",
		strings.Repeat("=", 160) + "\n",
		"node name: r1\n",
		"fused into: c1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	// JSON: stable tags, round trip.
	buf.Reset()
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Summary != rep.Summary || len(back.Nodes) != len(rep.Nodes) || back.Node("sig").Constraint != "Sigmoid runs on CPU" {
		t.Errorf("JSON round trip differs: %+v", back.Summary)
	}
	for _, key := range []string{`"device": "CPU"`, `"constraint": "Sigmoid runs on CPU"`, `"dpu_subgraphs": 2`, `"fused_into": "c1"`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestReportAllDPU(t *testing.T) {
	b := newModel(13)
	conv1(b, convSpec{oc: 8}, 8, 4, 4)
	rep, err := Inspect(b.m, b.shapes, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "All the operators are assigned to the DPU.") {
		t.Errorf("text:\n%s", buf.String())
	}
}

// Bad input is an error naming the node, never a panic.
func TestInspectErrors(t *testing.T) {
	b := newModel(13)
	x := b.input("x", 1, 8, 4, 4)
	b.conv("conv", x, convSpec{oc: 8})
	delete(b.shapes, "conv")
	if _, err := Inspect(b.m, b.shapes, nil); err == nil || !strings.Contains(err.Error(), `"conv"`) {
		t.Errorf("missing shape: err %v, want one naming conv", err)
	}
	b = newModel(13)
	x = b.input("x", 1, 8, 4, 4)
	b.node("Relu", "r", []string{"later"}, []int{1, 8, 4, 4})
	b.unary("Relu", "later", x)
	if _, err := Inspect(b.m, b.shapes, nil); err == nil || !strings.Contains(err.Error(), `"r"`) {
		t.Errorf("unsorted: err %v, want one naming r", err)
	}
	b = newModel(13)
	x = b.input("x", 1, 8, 4, 4)
	b.node("Conv", "c", []string{x, b.weight("W", 8, 8, 1, 1)}, []int{1, 8, 4, 4}, aString("strides", "1"))
	if _, err := Inspect(b.m, b.shapes, nil); err == nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("bad attr type: err %v, want one naming c", err)
	}
	if _, err := Inspect(nil, nil, nil); err == nil {
		t.Errorf("nil model: no error")
	}
}
