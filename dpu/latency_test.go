package dpu

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// Cycle counts worked by hand from the formulas in doc.go and the B4096
// parallelism of §4.1 (PP 8, ICP = OCP = 16, ALU/eltwise PP 4, CP 16).
func TestLayerCyclesByHand(t *testing.T) {
	tg, _ := LookupTarget("DPUCZDX8G_ISA1_B4096")
	cases := []struct {
		name string
		l    Layer
		want int64
	}{
		// 56x56 out, 3x3, 64 -> 64: ceil(3136/8)=392 · 9·ceil(64/16)=36 · ceil(64/16)=4.
		{"conv 3x3", Layer{Kind: KindConv, Batch: 1, InC: 64, OutC: 64, OutH: 56, OutW: 56, KernelH: 3, KernelW: 3, Group: 1}, 392 * 36 * 4},
		// 7x7 out, 3x3, 512 -> 512: ceil(49/8)=7 · 9·32 · 32.
		{"conv 7x7 tail", Layer{Kind: KindConv, Batch: 1, InC: 512, OutC: 512, OutH: 7, OutW: 7, KernelH: 3, KernelW: 3, Group: 1}, 7 * 288 * 32},
		// First layer 7x7, ic 3: augmentation packs 3·7=21 <= 32 channels:
		// ceil(12544/8)=1568 · 7·ceil(21/16)=14 · ceil(64/16)=4.
		{"conv1 augmented", Layer{Kind: KindConv, Batch: 1, InC: 3, OutC: 64, OutH: 112, OutW: 112, KernelH: 7, KernelW: 7, Group: 1}, 1568 * 14 * 4},
		// FC 2048 -> 1000 as 1x1: 1 · 128 · ceil(1000/16)=63.
		{"fc", Layer{Kind: KindConv, Batch: 1, InC: 2048, OutC: 1000, OutH: 1, OutW: 1, KernelH: 1, KernelW: 1, Group: 1}, 128 * 63},
		// Depthwise 3x3 on 112x112x32: ceil(12544/4)=3136 · ceil(32/16)=2 · 9.
		{"depthwise", Layer{Kind: KindDepthwiseConv, Batch: 1, InC: 32, OutC: 32, OutH: 112, OutW: 112, KernelH: 3, KernelW: 3, Group: 32}, 3136 * 2 * 9},
		// Global average pool 7x7x2048: 1 · 128 · 49.
		{"gap", Layer{Kind: KindAvgPool, Batch: 1, InC: 2048, OutC: 2048, OutH: 1, OutW: 1, KernelH: 7, KernelW: 7}, 128 * 49},
		// Eltwise add 56x56x256, two inputs: 784 · 16 · 2.
		{"eltwise", Layer{Kind: KindEltwise, Batch: 1, InC: 256, OutC: 256, OutH: 56, OutW: 56, EltwiseInputs: 2}, 784 * 16 * 2},
		// Transposed 4x4/2, 16 -> 8, 16x16 out: 32 · 1 · 1 · 2·2.
		{"transposed", Layer{Kind: KindTransposedConv, Batch: 1, InC: 16, OutC: 8, OutH: 16, OutW: 16, KernelH: 4, KernelW: 4, StrideH: 2, StrideW: 2, Group: 1}, 32 * 4},
		// Batch 2 doubles.
		{"batch 2", Layer{Kind: KindConv, Batch: 2, InC: 16, OutC: 16, OutH: 8, OutW: 8, KernelH: 1, KernelW: 1, Group: 1}, 2 * 8},
	}
	for _, c := range cases {
		if got := layerCycles(&c.l, tg); got != c.want {
			t.Errorf("%s: %d cycles, want %d", c.name, got, c.want)
		}
	}
}

// A single memory-bound layer: 1x1 conv 64 -> 256 on 56x56. Bytes by hand:
// weights 64·256 + bias 256 = 16640, input 200704, output 802816.
func TestLatencyMemoryBound(t *testing.T) {
	tg, _ := LookupTarget("")
	b := newModel(13)
	x := b.input("x", 1, 64, 56, 56)
	b.conv("c", x, convSpec{oc: 256})
	rep, err := Inspect(b.m, b.shapes, tg)
	if err != nil {
		t.Fatal(err)
	}
	lr := EstimateLatency(rep, b.shapes, tg, 300)
	if len(lr.Layers) != 1 {
		t.Fatalf("%d layers", len(lr.Layers))
	}
	l := lr.Layers[0]
	wantBytes := int64(16640 + 200704 + 802816)
	if l.Bytes != wantBytes {
		t.Errorf("bytes %d, want %d", l.Bytes, wantBytes)
	}
	// compute: 392·4·16 = 25088 cycles = 83.63 µs; memory 1020160 B / 4.8 GB/s = 212.53 µs.
	if l.Cycles != 25088 || !l.MemoryBound || math.Abs(l.Us-1020160/4.8e3) > 1e-9 {
		t.Errorf("layer %+v", l)
	}
	if math.Abs(lr.FPS-1e6/l.Us) > 1e-6 {
		t.Errorf("FPS %v, want %v", lr.FPS, 1e6/l.Us)
	}
	if l.MACs != 56*56*64*256 || l.Ops != 2*l.MACs {
		t.Errorf("MACs %d ops %d", l.MACs, l.Ops)
	}
	var sb strings.Builder
	if err := lr.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "c                                Conv") || !strings.Contains(sb.String(), "latency 0.213 ms, 4705.1 fps") {
		t.Errorf("text:\n%s", sb.String())
	}
}

// resnet50v1 builds Caffe's ResNet-50 (the model zoo's cf_resnet50, stride
// on the first 1x1 of a block) at 224x224 with BN and ReLU after each conv,
// GAP, Flatten, Gemm and Softmax.
func resnet50v1() *modelBuilder {
	b := newModel(13)
	x := b.input("data", 1, 3, 224, 224)
	n := 0
	name := func(p string) string { n++; return p + "_" + strconv.Itoa(n) }
	cbr := func(x string, c convSpec, relu bool) string {
		y := b.conv(name("conv"), x, c)
		y = b.node("BatchNormalization", name("bn"), []string{y, b.weight(name("s"), c.oc), b.weight(name("b"), c.oc),
			b.weight(name("m"), c.oc), b.weight(name("v"), c.oc)}, b.shapes[y])
		if relu {
			y = b.unary("Relu", name("relu"), y)
		}
		return y
	}
	y := cbr(x, convSpec{oc: 64, kh: 7, kw: 7, sh: 2, sw: 2, pads: [4]int{3, 3, 3, 3}}, true)
	y = b.pool("MaxPool", "pool1", y, 3, 2, 1)
	for stage, blocks := range []int{3, 4, 6, 3} {
		mid := 64 << stage
		for i := 0; i < blocks; i++ {
			s := 1
			if i == 0 && stage > 0 {
				s = 2
			}
			short := y
			if i == 0 {
				short = cbr(y, convSpec{oc: 4 * mid, sh: s, sw: s}, false)
			}
			z := cbr(y, convSpec{oc: mid, sh: s, sw: s}, true)
			z = cbr(z, convSpec{oc: mid, kh: 3, kw: 3, pads: [4]int{1, 1, 1, 1}}, true)
			z = cbr(z, convSpec{oc: 4 * mid}, false)
			z = b.node("Add", name("add"), []string{z, short}, b.shapes[z])
			y = b.unary("Relu", name("relu"), z)
		}
	}
	y = b.node("GlobalAveragePool", "gap", []string{y}, []int{1, 2048, 1, 1})
	y = b.node("Flatten", "flatten", []string{y}, []int{1, 2048}, aInt("axis", 1))
	y = b.node("Gemm", "fc", []string{y, b.weight("fc_W", 1000, 2048), b.weight("fc_B", 1000)}, []int{1, 1000}, aInt("transB", 1))
	b.output(b.unary("Softmax", "prob", y, aInt("axis", 1)))
	return b
}

// mobilenetV2 builds MobileNet v2 1.0 at 224x224 (Sandler et al. 2018,
// Table 2) with ReLU6 as Clip(0, 6).
func mobilenetV2() *modelBuilder {
	b := newModel(13)
	lo, hi := b.constF("zero", []float32{0}), b.constF("six", []float32{6})
	x := b.input("data", 1, 3, 224, 224)
	n := 0
	name := func(p string) string { n++; return p + "_" + strconv.Itoa(n) }
	cr := func(x string, c convSpec, relu6 bool) string {
		y := b.conv(name("conv"), x, c)
		if relu6 {
			y = b.node("Clip", name("relu6"), []string{y, lo, hi}, b.shapes[y])
		}
		return y
	}
	y := cr(x, convSpec{oc: 32, kh: 3, kw: 3, sh: 2, sw: 2, pads: [4]int{1, 1, 1, 1}}, true)
	in := 32
	for _, s := range []struct{ t, c, n, s int }{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}} {
		for i := 0; i < s.n; i++ {
			stride := 1
			if i == 0 {
				stride = s.s
			}
			z := y
			hid := in * s.t
			if s.t != 1 {
				z = cr(z, convSpec{oc: hid}, true)
			}
			z = cr(z, convSpec{oc: hid, kh: 3, kw: 3, sh: stride, sw: stride, group: hid, pads: [4]int{1, 1, 1, 1}}, true)
			z = cr(z, convSpec{oc: s.c}, false)
			if stride == 1 && in == s.c {
				z = b.node("Add", name("add"), []string{z, y}, b.shapes[z])
			}
			y, in = z, s.c
		}
	}
	y = cr(y, convSpec{oc: 1280}, true)
	y = b.node("GlobalAveragePool", "gap", []string{y}, []int{1, 1280, 1, 1})
	y = b.node("Flatten", "flatten", []string{y}, []int{1, 1280}, aInt("axis", 1))
	y = b.node("Gemm", "fc", []string{y, b.weight("fc_W", 1000, 1280), b.weight("fc_B", 1000)}, []int{1, 1000}, aInt("transB", 1))
	b.output(b.unary("Softmax", "prob", y, aInt("axis", 1)))
	return b
}

// Published figures (Xilinx/Vitis-AI models/AI-Model-Zoo/README.md, commit
// 00638091, "Performance on ZCU104", 2 × B4096 @ 300 MHz, Vitis AI 1.3):
//
//	cf_resnet50_imagenet_224_224_7.7G:     E2E latency 13.29 ms, 75.1 fps single thread, 144.7 fps multi-thread
//	cf_mobilenetv2_imagenet_224_224_0.59G: E2E latency 3.92 ms, 255.2 fps single thread, 589.3 fps multi-thread
//
// The published numbers include pre/post-processing on the ARM cores; they
// are logged next to the estimate, not asserted. The asserts are sanity
// bounds and the model-zoo operation counts (7.7 G and 0.59 G ops).
func TestLatencyPublishedNetworks(t *testing.T) {
	tg, _ := LookupTarget("DPUCZDX8G_ISA1_B4096")
	for _, c := range []struct {
		name         string
		b            *modelBuilder
		gops         float64 // model zoo name
		pubMs        float64 // E2E latency, 1 thread
		pubFPS2      float64 // multi-thread on 2 cores
		wantCPUNodes int
	}{
		{"resnet50 (cf_resnet50 7.7G)", resnet50v1(), 7.7, 13.29, 144.7, 1},
		{"mobilenet_v2 (cf_mobilenetv2 0.59G)", mobilenetV2(), 0.59, 3.92, 589.3, 1},
	} {
		rep, err := Inspect(c.b.m, c.b.shapes, tg)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Summary.CPUNodes != c.wantCPUNodes || rep.Summary.DPUSubgraphs != 1 || rep.Summary.CPUSubgraphs != 1 {
			for _, n := range rep.Nodes {
				if n.Device == DeviceCPU {
					t.Logf("CPU: %s %s: %s", n.Name, n.OpType, n.Constraint)
				}
			}
			t.Errorf("%s: summary %+v, want only Softmax on the CPU, 1 DPU + 1 CPU subgraph", c.name, rep.Summary)
		}
		lr := EstimateLatency(rep, c.b.shapes, tg, 300)
		gops := float64(lr.TotalOps) / 1e9
		if math.Abs(gops-c.gops)/c.gops > 0.03 {
			t.Errorf("%s: %.3f G ops, model zoo says %.2f G", c.name, gops, c.gops)
		}
		ideal := float64(lr.TotalOps) / (lr.PeakGOPS * 1e6) // ms at 100% of peak
		if lr.LatencyMs < ideal || lr.LatencyMs > 20*ideal || lr.FPS <= 0 {
			t.Errorf("%s: latency %.2f ms outside [ideal %.2f, 20·ideal]", c.name, lr.LatencyMs, ideal)
		}
		t.Logf("%s: %.3f G ops, %d layers (%d memory-bound), compute %.2f ms, memory %.2f ms, estimate %.2f ms = %.1f fps/core (utilization %.0f%%); published ZCU104 E2E %.2f ms single thread, %.1f fps on 2 cores = %.1f fps/core",
			c.name, gops, len(lr.Layers), lr.MemoryBoundLayers, lr.ComputeMs, lr.MemoryMs, lr.LatencyMs, lr.FPS, 100*lr.Utilization,
			c.pubMs, c.pubFPS2, c.pubFPS2/2)
	}
}
