package dpu

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"fixq/core/graph"
)

// The per-operator rules. Limits come from the target (§4.2) and UG1414's
// conv rows (§4.3); the fallback list is §4.4; messages follow the Vitis AI
// Inspector's catalogue (§5.3) but say the numbers.

func (in *inspector) cpu(nr *NodeReport, constraint string) {
	nr.Device, nr.Engine, nr.Constraint = DeviceCPU, "", constraint
}

func (in *inspector) dpu(nr *NodeReport, e Engine, l *Layer) {
	nr.Device, nr.Engine, nr.Layer = DeviceDPU, e, l
}

// constOnly reports whether n computes only from constants and static
// shapes: Shape/Size read just the (static) shape of their input.
func (in *inspector) constOnly(n *graph.Node) bool {
	switch n.OpType {
	case "Shape", "Size", "Constant":
		return true
	}
	for _, v := range n.Inputs {
		if v != "" && !in.consts[v] {
			return false
		}
	}
	return true
}

func (in *inspector) assign(n *graph.Node, idx int) error {
	nr := &in.nodes[idx]
	if n.Domain != "" && n.Domain != "ai.onnx" {
		in.cpu(nr, fmt.Sprintf("%s:%s can't be assigned to DPU", n.Domain, n.OpType))
		return nil
	}
	if in.constOnly(n) {
		nr.Device = DeviceConst
		nr.Note = "constant: computed from constants and static shapes; fold it before deployment"
		return nil
	}
	switch n.OpType {
	case "Conv":
		return in.conv(n, nr)
	case "ConvTranspose":
		return in.convTranspose(n, nr)
	case "Gemm", "MatMul":
		return in.gemm(n, nr)
	case "MaxPool", "AveragePool":
		return in.pool(n, nr)
	case "GlobalAveragePool", "GlobalMaxPool", "ReduceMean":
		return in.globalPool(n, nr)
	case "Add", "Sub", "Mul", "Div":
		return in.eltwise(n, nr)
	case "BatchNormalization":
		return in.batchNorm(n, nr)
	case "Relu":
		return in.activation(n, nr, "relu")
	case "Clip":
		return in.clip(n, nr)
	case "LeakyRelu":
		alpha, err := n.AttrFloat("alpha", 0.01)
		if err != nil {
			return err
		}
		// §3.1: only slope 0.1, computed as 26/256.
		if !(math.Abs(float64(alpha)-0.1) < 1e-6 || alpha == 26.0/256) {
			in.cpu(nr, fmt.Sprintf("LeakyRelu alpha %s is not 0.1 (DPU uses 26/256)", fmtF(alpha)))
			return nil
		}
		nr.Note = "slope 0.1 runs as 26/256 = 0.1015625 (§3.1)"
		return in.activation(n, nr, "leaky_relu")
	case "HardSigmoid":
		alpha, err := n.AttrFloat("alpha", 0.2)
		if err != nil {
			return err
		}
		beta, err := n.AttrFloat("beta", 0.5)
		if err != nil {
			return err
		}
		// §3.2: the DPU computes relu6(x+3)·2731/2^14, i.e. alpha 1/6, beta 0.5.
		if math.Abs(float64(alpha)-1.0/6) > 1e-3 || math.Abs(float64(beta)-0.5) > 1e-6 {
			in.cpu(nr, fmt.Sprintf("HardSigmoid alpha %s beta %s is not alpha 1/6 beta 0.5 (DPU computes relu6(x+3)*2731/2^14)", fmtF(alpha), fmtF(beta)))
			return nil
		}
		nr.Note = "1/6 runs as 2731/16384 (§3.2)"
		return in.activation(n, nr, "hsigmoid")
	case "HardSwish":
		nr.Note = "x*hsigmoid(x), hsigmoid quantized at fix pos 7 (§3.3)"
		return in.activation(n, nr, "hswish")
	case "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Exp", "PRelu":
		in.cpu(nr, n.OpType+" runs on CPU")
	case "Concat":
		return in.concat(n, nr)
	case "Resize", "Upsample":
		return in.resize(n, nr)
	case "Pad":
		return in.pad(n, nr)
	case "Reshape", "Flatten", "Squeeze", "Unsqueeze":
		return in.reshape(n, nr)
	case "Identity", "Dropout":
		if p := in.producer(n.Inputs[0]); p != nil && p.Device == DeviceDPU {
			in.dpu(nr, EngineLayout, nil)
		} else {
			in.cpu(nr, "The input of "+n.OpType+" is not on DPU.")
		}
	case "ArgMax":
		return in.argmax(n, nr)
	case "SpaceToDepth":
		return in.spaceToDepth(n, nr)
	default:
		in.cpu(nr, n.OpType+" can't be assigned to DPU")
	}
	return nil
}

func fmtF(f float32) string { return strconv.FormatFloat(float64(f), 'g', -1, 32) }

// nchw splits a rank-4 (or rank-2, as H=W=1) shape.
func nchw(s []int) (n, c, h, w int, ok bool) {
	switch len(s) {
	case 4:
		return s[0], s[1], s[2], s[3], true
	case 2:
		return s[0], s[1], 1, 1, true
	}
	return 0, 0, 0, 0, false
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// pair reads a 2-element ints attribute (H, W) with default d.
func pair(n *graph.Node, name string, d int) (int, int, error) {
	v, err := n.AttrInts(name, nil)
	if err != nil {
		return 0, 0, err
	}
	if v == nil {
		return d, d, nil
	}
	if len(v) != 2 {
		return 0, 0, n.Errorf("%s has %d values, want 2", name, len(v))
	}
	return int(v[0]), int(v[1]), nil
}

// windowPads returns top, left, bottom, right pads of a 2-D window op from
// pads or auto_pad.
func windowPads(n *graph.Node, inH, inW, kh, kw, sh, sw, dh, dw int) ([4]int, error) {
	var p [4]int
	auto, err := n.AttrString("auto_pad", "NOTSET")
	if err != nil {
		return p, err
	}
	switch auto {
	case "NOTSET", "":
		v, err := n.AttrInts("pads", nil)
		if err != nil {
			return p, err
		}
		if v == nil {
			return p, nil
		}
		if len(v) != 4 {
			return p, n.Errorf("pads has %d values, want 4", len(v))
		}
		// ONNX order: H begin, W begin, H end, W end.
		return [4]int{int(v[0]), int(v[1]), int(v[2]), int(v[3])}, nil
	case "VALID":
		return p, nil
	case "SAME_UPPER", "SAME_LOWER":
		same := func(in, k, s, d int) (int, int) {
			total := max(0, (ceilDiv(in, s)-1)*s+(k-1)*d+1-in)
			if auto == "SAME_UPPER" {
				return total / 2, total - total/2
			}
			return total - total/2, total / 2
		}
		p[0], p[2] = same(inH, kh, sh, dh)
		p[1], p[3] = same(inW, kw, sw, dw)
		return p, nil
	}
	return p, n.Errorf("auto_pad %q is not NOTSET, VALID, SAME_UPPER or SAME_LOWER", auto)
}

var padNames = [4]string{"pad_top", "pad_left", "pad_bottom", "pad_right"}

// window is the geometry of a 2-D window op (conv, pool).
type window struct {
	kh, kw, sh, sw, dh, dw int
	pads                   [4]int
}

// readWindow reads kernel_shape (default kh×kw), strides, dilations and
// pads of a window op on an inH×inW input.
func readWindow(n *graph.Node, inH, inW, kh, kw int) (window, error) {
	w := window{kh: kh, kw: kw}
	var err error
	if ks, err := n.AttrInts("kernel_shape", nil); err != nil {
		return w, err
	} else if len(ks) == 2 {
		w.kh, w.kw = int(ks[0]), int(ks[1])
	} else if ks != nil {
		return w, n.Errorf("kernel_shape has %d values, want 2", len(ks))
	}
	if w.sh, w.sw, err = pair(n, "strides", 1); err != nil {
		return w, err
	}
	if w.dh, w.dw, err = pair(n, "dilations", 1); err != nil {
		return w, err
	}
	if w.kh <= 0 || w.kw <= 0 || w.sh <= 0 || w.sw <= 0 || w.dh <= 0 || w.dw <= 0 {
		return w, n.Errorf("kernel %dx%d, stride %dx%d, dilation %dx%d: want positive values", w.kh, w.kw, w.sh, w.sw, w.dh, w.dw)
	}
	w.pads, err = windowPads(n, inH, inW, w.kh, w.kw, w.sh, w.sw, w.dh, w.dw)
	return w, err
}

// kernelStrideMsgs checks kernel and stride against engine ranges.
func kernelStrideMsgs(w window, kr, sr Range) []string {
	var msgs []string
	if !kr.Contains(w.kh) || !kr.Contains(w.kw) {
		msgs = append(msgs, fmt.Sprintf("kernel %dx%d is not in DPU supported range %s", w.kh, w.kw, kr))
	}
	if !sr.Contains(w.sh) || !sr.Contains(w.sw) {
		msgs = append(msgs, fmt.Sprintf("stride %dx%d is not in DPU supported range %s", w.sh, w.sw, sr))
	}
	return msgs
}

// aluPadMsgs checks pads against the ALU pad_limit.
func (in *inspector) aluPadMsgs(p [4]int) []string {
	lim := in.t.ALU.Pad
	ranges := [4]Range{lim.Top, lim.Left, lim.Bottom, lim.Right}
	var msgs []string
	for i, v := range p {
		if !ranges[i].Contains(v) {
			msgs = append(msgs, fmt.Sprintf("%s %d is not in DPU supported range %s", padNames[i], v, ranges[i]))
		}
	}
	return msgs
}

// convEngineMsgs applies UG1414's conv2d rows (§4.3): kernel, stride,
// dilation·ic ≤ 256·cp, pad ≤ (k-1)·dilation, kw·kh·ceil(ic/cp) ≤
// bank_depth, oc ≤ 256·cp. ic is the per-group input channel count.
func (in *inspector) convEngineMsgs(w window, ic, oc int, checkPads bool) []string {
	c := in.t.Conv
	cp := in.t.ChannelParallel()
	msgs := kernelStrideMsgs(w, c.Kernel, c.Stride)
	if d := max(w.dh, w.dw); d*ic > 256*cp {
		msgs = append(msgs, fmt.Sprintf("dilation %d x input channels %d = %d exceeds 256 x channel_parallel = %d", d, ic, d*ic, 256*cp))
	}
	if checkPads {
		lims := [4]int{(w.kh - 1) * w.dh, (w.kw - 1) * w.dw, (w.kh - 1) * w.dh, (w.kw - 1) * w.dw}
		for i, p := range w.pads {
			if p < 0 || p > lims[i] {
				msgs = append(msgs, fmt.Sprintf("%s %d is not in DPU supported range 0-%d ((kernel-1)*dilation)", padNames[i], p, lims[i]))
			}
		}
	}
	if need := w.kw * w.kh * ceilDiv(ic, cp); need > in.t.BankDepth() {
		msgs = append(msgs, fmt.Sprintf("kernel_w*kernel_h*ceil(input_channel/channel_parallel) = %d*%d*%d = %d exceeds bank_depth %d",
			w.kw, w.kh, ceilDiv(ic, cp), need, in.t.BankDepth()))
	}
	if oc > 256*cp {
		msgs = append(msgs, fmt.Sprintf("output channels %d exceed 256 x channel_parallel = %d", oc, 256*cp))
	}
	return msgs
}

// convOperands reads what Conv and ConvTranspose share: input, weight and
// output shapes and the group. ok is false when the node was already sent
// to the CPU (not 2-D, or a non-constant weight).
func (in *inspector) convOperands(n *graph.Node, nr *NodeReport) (xs, ws, ys []int, group int, ok bool, err error) {
	if len(n.Inputs) < 2 {
		return nil, nil, nil, 0, false, n.Errorf("want at least 2 inputs, have %d", len(n.Inputs))
	}
	if xs, err = in.shape(n, n.Inputs[0]); err != nil {
		return nil, nil, nil, 0, false, err
	}
	if ws, err = in.shape(n, n.Inputs[1]); err != nil {
		return nil, nil, nil, 0, false, err
	}
	if len(xs) != 4 || len(ws) != 4 {
		in.cpu(nr, fmt.Sprintf("%s with %d spatial dims is not supported (2-D only)", n.OpType, len(xs)-2))
		return nil, nil, nil, 0, false, nil
	}
	if !in.consts[n.Inputs[1]] {
		in.cpu(nr, n.OpType+" with a non-constant weight can't be assigned to DPU")
		return nil, nil, nil, 0, false, nil
	}
	if ys, err = in.shape(n, n.Outputs[0]); err != nil {
		return nil, nil, nil, 0, false, err
	}
	group64, err := n.AttrInt("group", 1)
	if err != nil {
		return nil, nil, nil, 0, false, err
	}
	return xs, ws, ys, int(group64), true, nil
}

func (in *inspector) conv(n *graph.Node, nr *NodeReport) error {
	xs, ws, ys, group, ok, err := in.convOperands(n, nr)
	if !ok || err != nil {
		return err
	}
	N, ic, h, wd, _ := nchw(xs)
	oc := ws[0]
	win, err := readWindow(n, h, wd, ws[2], ws[3])
	if err != nil {
		return err
	}
	l := &Layer{Batch: N, InC: ic, InH: h, InW: wd, OutC: oc, OutH: ys[2], OutW: ys[3],
		KernelH: win.kh, KernelW: win.kw, StrideH: win.sh, StrideW: win.sw, DilationH: win.dh, DilationW: win.dw,
		Pads: win.pads, Group: group, Weights: int64(ws[0]*ws[1]*ws[2]*ws[3] + oc)}
	var msgs []string
	var eng Engine
	switch {
	case group == 1:
		l.Kind, eng = KindConv, EngineConv
		msgs = in.convEngineMsgs(win, ic, oc, true)
	case group == ic:
		// Depthwise: the ALU's dwconv (§4.2, §4.3 depthwise row).
		l.Kind, eng = KindDepthwiseConv, EngineALU
		if !in.t.HasALU("dwconv") {
			msgs = append(msgs, "this target has no depthwise conv (alu_type dwconv)")
		}
		if oc != ic {
			msgs = append(msgs, fmt.Sprintf("depthwise conv with channel multiplier %d is not supported", oc/max(ic, 1)))
		}
		msgs = append(msgs, kernelStrideMsgs(win, in.t.ALU.Kernel, in.t.ALU.Stride)...)
		msgs = append(msgs, in.aluPadMsgs(win.pads)...)
	default:
		in.cpu(nr, fmt.Sprintf("group conv with 1 < group (%d) < input channels (%d) is not supported", group, ic))
		return nil
	}
	if len(msgs) > 0 {
		in.cpu(nr, strings.Join(msgs, "; "))
		return nil
	}
	in.dpu(nr, eng, l)
	return nil
}

func (in *inspector) convTranspose(n *graph.Node, nr *NodeReport) error {
	xs, ws, ys, group, ok, err := in.convOperands(n, nr)
	if !ok || err != nil {
		return err
	}
	if op, err := n.AttrInts("output_padding", nil); err != nil {
		return err
	} else {
		for _, v := range op {
			if v != 0 {
				in.cpu(nr, "transposed conv with output_padding is not supported")
				return nil
			}
		}
	}
	N, ic, h, wd, _ := nchw(xs)
	oc := ws[1] * group
	win := window{kh: ws[2], kw: ws[3]}
	if win.sh, win.sw, err = pair(n, "strides", 1); err != nil {
		return err
	}
	if win.dh, win.dw, err = pair(n, "dilations", 1); err != nil {
		return err
	}
	if win.sh <= 0 || win.sw <= 0 {
		return n.Errorf("strides %dx%d: want positive values", win.sh, win.sw)
	}
	l := &Layer{Batch: N, InC: ic, InH: h, InW: wd, OutC: oc, OutH: ys[2], OutW: ys[3],
		KernelH: win.kh, KernelW: win.kw, StrideH: win.sh, StrideW: win.sw, DilationH: win.dh, DilationW: win.dw,
		Group: group, Weights: int64(ws[0]*ws[1]*ws[2]*ws[3] + oc)}
	// §4.3 transposed-conv2d row: kernel/stride in [1,16] per axis; the
	// depthwise variant runs on the ALU with kernel/stride in its kernel range.
	ksRange := Range{1, 16}
	var msgs []string
	var eng Engine
	switch {
	case group == 1:
		l.Kind, eng = KindTransposedConv, EngineConv
		if !in.t.Conv.Kernel.Contains(win.kh) || !in.t.Conv.Kernel.Contains(win.kw) {
			msgs = append(msgs, fmt.Sprintf("kernel %dx%d is not in DPU supported range %s", win.kh, win.kw, in.t.Conv.Kernel))
		}
		if oc > 256*in.t.ChannelParallel() {
			msgs = append(msgs, fmt.Sprintf("output channels %d exceed 256 x channel_parallel = %d", oc, 256*in.t.ChannelParallel()))
		}
	case group == ic && ws[1] == 1:
		l.Kind, eng = KindDepthwiseTransposedConv, EngineALU
		ksRange = in.t.ALU.Kernel
	default:
		in.cpu(nr, fmt.Sprintf("group transposed conv with 1 < group (%d) < input channels (%d) is not supported", group, ic))
		return nil
	}
	if !ksRange.Contains(win.kh/win.sh) || !ksRange.Contains(win.kw/win.sw) {
		msgs = append(msgs, fmt.Sprintf("kernel / stride (%dx%d / %dx%d) is not in DPU supported range %s", win.kh, win.kw, win.sh, win.sw, ksRange))
	}
	if len(msgs) > 0 {
		in.cpu(nr, strings.Join(msgs, "; "))
		return nil
	}
	in.dpu(nr, eng, l)
	return nil
}

// gemm maps Gemm/MatMul with a constant 2-D weight on a 2-D input to a 1x1
// conv (§2.1 "Fully connected / matmul is lowered to conv2d").
func (in *inspector) gemm(n *graph.Node, nr *NodeReport) error {
	if len(n.Inputs) < 2 {
		return n.Errorf("want at least 2 inputs, have %d", len(n.Inputs))
	}
	as, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	bs, err := in.shape(n, n.Inputs[1])
	if err != nil {
		return err
	}
	if len(as) != 2 {
		in.cpu(nr, fmt.Sprintf("%s on a %d-D input is not supported (only 2-D)", n.OpType, len(as)))
		return nil
	}
	if !in.consts[n.Inputs[1]] || len(bs) != 2 {
		in.cpu(nr, n.OpType+" with a non-constant weight can't be assigned to DPU")
		return nil
	}
	k, oc := bs[0], bs[1]
	if n.OpType == "Gemm" {
		ta, err := n.AttrInt("transA", 0)
		if err != nil {
			return err
		}
		tb, err := n.AttrInt("transB", 0)
		if err != nil {
			return err
		}
		if ta != 0 {
			in.cpu(nr, "Gemm with transA=1 is not supported")
			return nil
		}
		if tb != 0 {
			k, oc = bs[1], bs[0]
		}
		if len(n.Inputs) > 2 && n.Inputs[2] != "" && !in.consts[n.Inputs[2]] {
			in.cpu(nr, "Gemm with a non-constant bias can't be assigned to DPU")
			return nil
		}
	}
	win := window{kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1}
	if msgs := in.convEngineMsgs(win, k, oc, false); len(msgs) > 0 {
		in.cpu(nr, strings.Join(msgs, "; "))
		return nil
	}
	nr.Note = "runs as a 1x1 conv"
	in.dpu(nr, EngineConv, &Layer{Kind: KindConv, Batch: as[0], InC: k, InH: 1, InW: 1, OutC: oc, OutH: 1, OutW: 1,
		KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Group: 1, Weights: int64(k*oc + oc)})
	return nil
}

func (in *inspector) pool(n *graph.Node, nr *NodeReport) error {
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	if len(xs) != 4 {
		in.cpu(nr, fmt.Sprintf("%s with %d spatial dims is not supported (2-D only)", n.OpType, len(xs)-2))
		return nil
	}
	ys, err := in.shape(n, n.Outputs[0])
	if err != nil {
		return err
	}
	N, c, h, w, _ := nchw(xs)
	win, err := readWindow(n, h, w, 0, 0)
	if err != nil {
		return err
	}
	if win.kh == 0 || win.kw == 0 {
		return n.Errorf("kernel_shape is missing")
	}
	kind, aluType := KindMaxPool, "max_pool"
	var msgs []string
	if n.OpType == "AveragePool" {
		kind, aluType = KindAvgPool, "avg_pool"
		cip, err := n.AttrInt("count_include_pad", 0)
		if err != nil {
			return err
		}
		// §3.4: the DPU always divides by the full kernel area.
		if cip == 0 && win.pads != [4]int{} {
			msgs = append(msgs, "AveragePool with count_include_pad=0 and padding is not supported (DPU divides by the full kernel area)")
		}
	} else {
		if win.dh != 1 || win.dw != 1 {
			msgs = append(msgs, fmt.Sprintf("MaxPool dilation %dx%d is not supported", win.dh, win.dw))
		}
		if len(n.Outputs) > 1 && n.Outputs[1] != "" && len(in.consumers[n.Outputs[1]]) > 0 {
			msgs = append(msgs, "MaxPool indices output is not supported")
		}
	}
	if !in.t.HasALU(aluType) {
		msgs = append(msgs, "this target has no "+aluType)
	}
	msgs = append(msgs, kernelStrideMsgs(win, in.t.ALU.Kernel, in.t.ALU.Stride)...)
	msgs = append(msgs, in.aluPadMsgs(win.pads)...)
	if len(msgs) > 0 {
		in.cpu(nr, strings.Join(msgs, "; "))
		return nil
	}
	in.dpu(nr, EngineALU, &Layer{Kind: kind, Batch: N, InC: c, InH: h, InW: w, OutC: c, OutH: ys[2], OutW: ys[3],
		KernelH: win.kh, KernelW: win.kw, StrideH: win.sh, StrideW: win.sw, DilationH: 1, DilationW: 1, Pads: win.pads, Group: c})
	return nil
}

// globalPool maps GlobalAveragePool, GlobalMaxPool and ReduceMean over the
// spatial axes to an ALU pool with kernel H×W.
func (in *inspector) globalPool(n *graph.Node, nr *NodeReport) error {
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	if len(xs) != 4 {
		in.cpu(nr, fmt.Sprintf("%s on a %d-D input can't be assigned to DPU", n.OpType, len(xs)))
		return nil
	}
	N, c, h, w, _ := nchw(xs)
	kind, aluType := KindAvgPool, "avg_pool"
	if n.OpType == "GlobalMaxPool" {
		kind, aluType = KindMaxPool, "max_pool"
	}
	if n.OpType == "ReduceMean" {
		axes, err := n.AttrInts("axes", nil)
		if err != nil {
			return err
		}
		if axes == nil && len(n.Inputs) > 1 && n.Inputs[1] != "" {
			if t := in.constValue(n.Inputs[1]); t != nil {
				axes, _ = t.AsInt64s()
			}
		}
		spatial := len(axes) == 2
		for _, a := range axes {
			if a < 0 {
				a += 4
			}
			if a != 2 && a != 3 {
				spatial = false
			}
		}
		if !spatial {
			in.cpu(nr, fmt.Sprintf("ReduceMean over axes %v can't be assigned to DPU (only the spatial axes [2 3])", axes))
			return nil
		}
	}
	var msgs []string
	if !in.t.HasALU(aluType) {
		msgs = append(msgs, "this target has no "+aluType)
	}
	if !in.t.ALU.Kernel.Contains(h) || !in.t.ALU.Kernel.Contains(w) {
		msgs = append(msgs, fmt.Sprintf("kernel %dx%d is not in DPU supported range %s", h, w, in.t.ALU.Kernel))
	}
	if len(msgs) > 0 {
		in.cpu(nr, strings.Join(msgs, "; "))
		return nil
	}
	in.dpu(nr, EngineALU, &Layer{Kind: kind, Batch: N, InC: c, InH: h, InW: w, OutC: c, OutH: 1, OutW: 1,
		KernelH: h, KernelW: w, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Group: c})
	return nil
}

// foldTarget returns the DPU conv or depthwise conv that produces v alone
// (one consumer, not a graph output, no activation fused yet), into which
// a BatchNormalization or a per-channel constant can be folded; otherwise
// nil and the reason.
func (in *inspector) foldTarget(v string) (*NodeReport, string) {
	p := in.fusedBase(in.producer(v))
	switch {
	case p == nil:
		return nil, "its input is a constant"
	case p.Device != DeviceDPU || p.Layer == nil || (p.Layer.Kind != KindConv && p.Layer.Kind != KindDepthwiseConv && p.Layer.Kind != KindTransposedConv):
		return nil, fmt.Sprintf("its input comes from %s %q on %s, not from a DPU conv", p.OpType, p.Name, p.Device)
	case len(in.consumers[v]) != 1 || in.g.IsOutput(v):
		return nil, fmt.Sprintf("the output of %s %q has other readers", p.OpType, p.Name)
	case p.Layer.Nonlinear != "":
		return nil, fmt.Sprintf("%s %q already has %s fused", p.OpType, p.Name, p.Layer.Nonlinear)
	}
	return p, ""
}

// fusedBase follows a fused node (a folded BatchNormalization or bias Add)
// to the node it is fused into, so a chain conv -> BN -> Relu fuses whole.
func (in *inspector) fusedBase(p *NodeReport) *NodeReport {
	for p != nil && p.Engine == EngineFused {
		i, ok := in.byName[p.FusedInto]
		if !ok {
			break
		}
		p = &in.nodes[i]
	}
	return p
}

func (in *inspector) fold(nr *NodeReport, p *NodeReport) {
	nr.Device, nr.Engine, nr.FusedInto = DeviceDPU, EngineFused, p.Name
	if nr.Note == "" {
		nr.Note = "folded into the weights and bias of " + p.Name
	}
}

func (in *inspector) batchNorm(n *graph.Node, nr *NodeReport) error {
	if p, _ := in.foldTarget(n.Inputs[0]); p != nil {
		in.fold(nr, p)
		return nil
	}
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	N, c, h, w, ok := nchw(xs)
	if !ok || !in.t.HasALU("dwconv") {
		in.cpu(nr, "BatchNormalization can't be assigned to DPU")
		return nil
	}
	nr.Note = "runs as a 1x1 depthwise conv"
	in.dpu(nr, EngineALU, &Layer{Kind: KindDepthwiseConv, Batch: N, InC: c, InH: h, InW: w, OutC: c, OutH: h, OutW: w,
		KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Group: c, Weights: int64(2 * c)})
	return nil
}

// eltwise handles Add/Sub/Mul/Div: two same-shape activations go to the
// eltwise engine (add, mult); one constant operand is folded into a
// preceding conv when it is a scalar or per-channel.
func (in *inspector) eltwise(n *graph.Node, nr *NodeReport) error {
	if len(n.Inputs) != 2 {
		return n.Errorf("want 2 inputs, have %d", len(n.Inputs))
	}
	a, b := n.Inputs[0], n.Inputs[1]
	as, err := in.shape(n, a)
	if err != nil {
		return err
	}
	bs, err := in.shape(n, b)
	if err != nil {
		return err
	}
	if in.consts[a] || in.consts[b] {
		x, cs := a, bs
		if in.consts[a] {
			x, cs = b, as
		}
		if in.consts[a] && (n.OpType == "Sub" || n.OpType == "Div") {
			in.cpu(nr, fmt.Sprintf("%s with a constant first operand can't be assigned to DPU", n.OpType))
			return nil
		}
		xs, _ := in.shape(n, x)
		if !perChannel(cs, xs) {
			in.cpu(nr, fmt.Sprintf("%s with a constant operand of shape %v can't be assigned to DPU (only a scalar or per-channel constant folded into a conv)", n.OpType, cs))
			return nil
		}
		p, why := in.foldTarget(x)
		if p == nil {
			in.cpu(nr, fmt.Sprintf("%s with a constant operand can't be folded: %s", n.OpType, why))
			return nil
		}
		in.fold(nr, p)
		return nil
	}
	typ := map[string]string{"Add": "add", "Mul": "mult"}[n.OpType]
	if typ == "" {
		in.cpu(nr, n.OpType+" can't be assigned to DPU")
		return nil
	}
	if !sameShape(as, bs) {
		in.cpu(nr, fmt.Sprintf("eltwise %s with broadcast (%v and %v) is not supported", n.OpType, as, bs))
		return nil
	}
	N, c, h, w, ok := nchw(as)
	var msgs []string
	if !ok {
		msgs = append(msgs, fmt.Sprintf("eltwise %s on a %d-D tensor is not supported", n.OpType, len(as)))
	}
	if !contains(in.t.Eltwise.Types, typ) {
		msgs = append(msgs, "this target does not support eltwise "+strings.ToUpper(typ))
	}
	if cp := in.t.ChannelParallel(); c > 256*cp {
		msgs = append(msgs, fmt.Sprintf("input channels %d exceed 256 x channel_parallel = %d", c, 256*cp))
	}
	if len(msgs) > 0 {
		in.cpu(nr, strings.Join(msgs, "; "))
		return nil
	}
	in.dpu(nr, EngineEltwise, &Layer{Kind: KindEltwise, Batch: N, InC: c, InH: h, InW: w, OutC: c, OutH: h, OutW: w,
		KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Group: 1, EltwiseInputs: 2})
	return nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// perChannel reports whether a constant of shape cs broadcast against x
// varies at most along axis 1 (a scalar or a per-channel vector).
func perChannel(cs, xs []int) bool {
	if len(cs) > len(xs) {
		return false
	}
	off := len(xs) - len(cs)
	for i, d := range cs {
		if d != 1 && off+i != 1 {
			return false
		}
	}
	return true
}

// nonlinearsOf lists the activations an engine can fuse (§4.2).
func (in *inspector) nonlinearsOf(p *NodeReport) []string {
	switch p.Engine {
	case EngineConv:
		return in.t.Conv.Nonlinear
	case EngineALU:
		if p.Layer != nil && p.Layer.Kind != KindALUPointwise {
			return in.t.ALU.Nonlinear
		}
	case EngineEltwise:
		return in.t.Eltwise.Nonlinear
	}
	return nil
}

// activation fuses an activation (target name nl) into its producer, or
// runs it standalone on the ALU, or sends it to the CPU.
func (in *inspector) activation(n *graph.Node, nr *NodeReport, nl string) error {
	x := n.Inputs[0]
	p := in.fusedBase(in.producer(x))
	var why string
	switch {
	case p == nil:
		why = "its input is a constant"
	case p.Device != DeviceDPU || p.Layer == nil:
		why = fmt.Sprintf("its input comes from %s %q on %s", p.OpType, p.Name, p.Device)
	case len(in.consumers[x]) != 1 || in.g.IsOutput(x):
		why = fmt.Sprintf("the output of %s %q has other readers", p.OpType, p.Name)
	case p.Layer.Nonlinear != "":
		why = fmt.Sprintf("%s %q already has %s fused", p.OpType, p.Name, p.Layer.Nonlinear)
	case !contains(in.nonlinearsOf(p), nl):
		why = fmt.Sprintf("the %s engine can't fuse %s", p.Engine, nl)
	default:
		p.Layer.Nonlinear = nl
		nr.Device, nr.Engine, nr.FusedInto = DeviceDPU, EngineFused, p.Name
		return nil
	}
	// Standalone on the ALU (§4.2 alu_type list; HardSwish as hsigmoid then
	// an eltwise mult, §3.3).
	alu := false
	switch nl {
	case "leaky_relu":
		alu = in.t.HasALU("leaky_relu")
	case "hsigmoid":
		alu = in.t.HasALU("hsigmoid")
		if !alu {
			in.cpu(nr, "This target does not support single hard-sigmoid.")
			return nil
		}
	case "hswish":
		alu = in.t.HasALU("hsigmoid") && contains(in.t.Eltwise.Types, "mult")
	}
	if alu && p != nil && p.Device != DeviceConst {
		xs, err := in.shape(n, x)
		if err != nil {
			return err
		}
		if N, c, h, w, ok := nchw(xs); ok {
			in.dpu(nr, EngineALU, &Layer{Kind: KindALUPointwise, Batch: N, InC: c, InH: h, InW: w, OutC: c, OutH: h, OutW: w,
				KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Group: c, Nonlinear: nl})
			return nil
		}
	}
	in.cpu(nr, fmt.Sprintf("%s can't be fused into its producer: %s", n.OpType, why))
	return nil
}

// clip maps Clip(0, 6) to ReLU6 and Clip(0, +inf) to ReLU.
func (in *inspector) clip(n *graph.Node, nr *NodeReport) error {
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if in.opset < 11 && in.opset != 0 || n.Has("min") || n.Has("max") {
		var err error
		if lo, err = n.AttrFloat("min", lo); err != nil {
			return err
		}
		if hi, err = n.AttrFloat("max", hi); err != nil {
			return err
		}
	} else {
		for i, dst := range []*float32{&lo, &hi} {
			if len(n.Inputs) <= i+1 || n.Inputs[i+1] == "" {
				continue
			}
			t := in.constValue(n.Inputs[i+1])
			if t == nil || len(t.F32) != 1 {
				in.cpu(nr, "Clip with non-constant bounds can't be assigned to DPU")
				return nil
			}
			*dst = t.F32[0]
		}
	}
	switch {
	case lo == 0 && hi == 6:
		return in.activation(n, nr, "relu_six")
	case lo == 0 && hi >= math.MaxFloat32:
		return in.activation(n, nr, "relu")
	}
	in.cpu(nr, fmt.Sprintf("Clip range [%s, %s] is not ReLU [0, inf] or ReLU6 [0, 6]", fmtF(lo), fmtF(hi)))
	return nil
}

// concat follows the Inspector's concat rules (§5.2 step 4, §5.3).
func (in *inspector) concat(n *graph.Node, nr *NodeReport) error {
	ys, err := in.shape(n, n.Outputs[0])
	if err != nil {
		return err
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return err
	}
	if axis < 0 {
		axis += int64(len(ys))
	}
	onDPU, offDPU := 0, 0
	for _, v := range n.Inputs {
		if v == "" || in.consts[v] {
			continue
		}
		if p := in.producer(v); p != nil && p.Device == DeviceDPU {
			onDPU++
		} else {
			offDPU++
		}
	}
	switch {
	case onDPU == 0:
		in.cpu(nr, "All input of concat are on CPU.")
	case offDPU > 0 && (len(ys) != 4 || axis != 1):
		// The Vitis message names the XIR (NHWC) axis; this is the ONNX one.
		in.cpu(nr, fmt.Sprintf("One of the input is from non-DPU device. And output is not 4d. And axis == %d is not supported.", axis))
	default:
		in.dpu(nr, EngineLayout, nil)
	}
	return nil
}

// resize: nearest with an integer scale; bilinear as a transposed
// depthwise conv with scale 2, 4 or 8 (2 or 4 with half-pixel centres),
// no align_corners (§3.9).
func (in *inspector) resize(n *graph.Node, nr *NodeReport) error {
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	ys, err := in.shape(n, n.Outputs[0])
	if err != nil {
		return err
	}
	if len(xs) != 4 || len(ys) != 4 {
		in.cpu(nr, fmt.Sprintf("%s on a %d-D tensor is not supported", n.OpType, len(xs)))
		return nil
	}
	mode, err := n.AttrString("mode", "nearest")
	if err != nil {
		return err
	}
	ctmDefault := "half_pixel"
	if n.OpType == "Upsample" || in.opset == 10 {
		ctmDefault = "asymmetric"
	}
	ctm, err := n.AttrString("coordinate_transformation_mode", ctmDefault)
	if err != nil {
		return err
	}
	if xs[0] != ys[0] || xs[1] != ys[1] {
		in.cpu(nr, fmt.Sprintf("%s of the batch or channel axis (%v to %v) is not supported", n.OpType, xs, ys))
		return nil
	}
	if ys[2]%xs[2] != 0 || ys[3]%xs[3] != 0 {
		in.cpu(nr, fmt.Sprintf("%s scale %gx%g is not an integer", n.OpType, float64(ys[2])/float64(xs[2]), float64(ys[3])/float64(xs[3])))
		return nil
	}
	sh, sw := ys[2]/xs[2], ys[3]/xs[3]
	if ctm == "align_corners" {
		in.cpu(nr, fmt.Sprintf("%s with align_corners is not supported", n.OpType))
		return nil
	}
	if ctm == "tf_crop_and_resize" {
		in.cpu(nr, fmt.Sprintf("%s with tf_crop_and_resize is not supported", n.OpType))
		return nil
	}
	switch mode {
	case "nearest":
		in.dpu(nr, EngineLayout, nil)
		return nil
	case "linear", "bilinear":
		allowed := []int{2, 4, 8}
		note := "2, 4 or 8"
		if ctm == "half_pixel" || ctm == "pytorch_half_pixel" {
			allowed, note = []int{2, 4}, "2 or 4 with half_pixel"
		}
		ok := sh == sw
		if ok {
			ok = false
			for _, a := range allowed {
				ok = ok || sh == a
			}
		}
		if !ok {
			scale := strconv.Itoa(sh)
			if sh != sw {
				scale = fmt.Sprintf("%dx%d", sh, sw)
			}
			in.cpu(nr, fmt.Sprintf("Resize mode linear with scale %s is not supported (%s)", scale, note))
			return nil
		}
		N, c, h, w, _ := nchw(xs)
		nr.Note = "runs as a transposed depthwise conv (kernel 2*scale, stride scale)"
		in.dpu(nr, EngineALU, &Layer{Kind: KindDepthwiseTransposedConv, Batch: N, InC: c, InH: h, InW: w, OutC: c, OutH: ys[2], OutW: ys[3],
			KernelH: 2 * sh, KernelW: 2 * sw, StrideH: sh, StrideW: sw, DilationH: 1, DilationW: 1, Group: c, Weights: int64(c * 4 * sh * sw)})
		return nil
	}
	in.cpu(nr, fmt.Sprintf("Resize mode %s is not supported", mode))
	return nil
}

// pad: a constant zero pad of the spatial axes is fused into the next
// layer; reflect and edge run on the CPU (§3.10, §4.3 pad row).
func (in *inspector) pad(n *graph.Node, nr *NodeReport) error {
	mode, err := n.AttrString("mode", "constant")
	if err != nil {
		return err
	}
	if mode != "constant" {
		in.cpu(nr, fmt.Sprintf("Pad mode %s is not supported", mode))
		return nil
	}
	var pads []int64
	var value float32
	if n.Has("pads") {
		if pads, err = n.AttrInts("pads", nil); err != nil {
			return err
		}
		if value, err = n.AttrFloat("value", 0); err != nil {
			return err
		}
	} else {
		if len(n.Inputs) < 2 || n.Inputs[1] == "" {
			return n.Errorf("no pads")
		}
		t := in.constValue(n.Inputs[1])
		if t == nil {
			in.cpu(nr, "Pad with non-constant pads can't be assigned to DPU")
			return nil
		}
		if pads, err = t.AsInt64s(); err != nil {
			return n.Errorf("pads: %w", err)
		}
		if len(n.Inputs) > 2 && n.Inputs[2] != "" {
			v := in.constValue(n.Inputs[2])
			if v == nil || len(v.F32) != 1 {
				in.cpu(nr, "Pad with a non-constant value can't be assigned to DPU")
				return nil
			}
			value = v.F32[0]
		}
		if len(n.Inputs) > 3 && n.Inputs[3] != "" {
			in.cpu(nr, "Pad with axes can't be assigned to DPU")
			return nil
		}
	}
	if len(pads) != 8 {
		in.cpu(nr, fmt.Sprintf("Pad of a %d-D tensor can't be assigned to DPU", len(pads)/2))
		return nil
	}
	if pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 {
		in.cpu(nr, "Pad on the batch or channel axis is not supported")
		return nil
	}
	if value != 0 {
		in.cpu(nr, fmt.Sprintf("Pad value %s is not 0", fmtF(value)))
		return nil
	}
	in.dpu(nr, EngineLayout, nil)
	return nil
}

// reshape: DPU only when the parent is on the DPU and dim 0 is preserved
// (§5.2 step 4).
func (in *inspector) reshape(n *graph.Node, nr *NodeReport) error {
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	ys, err := in.shape(n, n.Outputs[0])
	if err != nil {
		return err
	}
	if p := in.producer(n.Inputs[0]); p == nil || p.Device != DeviceDPU {
		in.cpu(nr, "The input of reshape is not on DPU.")
		return nil
	}
	if len(xs) == 0 || len(ys) == 0 || xs[0] != ys[0] {
		in.cpu(nr, "First dimension is changed.")
		return nil
	}
	in.dpu(nr, EngineLayout, nil)
	return nil
}

// argmax over channels runs in the save engine when the target has it.
func (in *inspector) argmax(n *graph.Node, nr *NodeReport) error {
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return err
	}
	if axis < 0 {
		axis += int64(len(xs))
	}
	switch {
	case !in.t.SaveArgmax:
		in.cpu(nr, "this target has no argmax in its save engine")
	case len(xs) != 4 || axis != 1:
		in.cpu(nr, fmt.Sprintf("ArgMax over axis %d can't be assigned to DPU (only channels)", axis))
	default:
		in.dpu(nr, EngineSave, nil)
	}
	return nil
}

// spaceToDepth is the reorg op: stride²·ic ≤ 256·cp (§4.3, reorg row).
func (in *inspector) spaceToDepth(n *graph.Node, nr *NodeReport) error {
	xs, err := in.shape(n, n.Inputs[0])
	if err != nil {
		return err
	}
	bs, err := n.AttrInt("blocksize", 0)
	if err != nil {
		return err
	}
	_, c, _, _, ok := nchw(xs)
	cp := in.t.ChannelParallel()
	if !ok || int(bs*bs)*c > 256*cp {
		in.cpu(nr, fmt.Sprintf("reorg stride^2 x input channels = %d exceeds 256 x channel_parallel = %d", int(bs*bs)*c, 256*cp))
		return nil
	}
	in.dpu(nr, EngineLayout, nil)
	return nil
}
