package dpu

import (
	"fmt"
	"math"

	"fixq/core/graph"
	"fixq/core/ops"
	"fixq/core/quant"
	"fixq/core/tensor"
)

// movementOps move int8 data unchanged (any dtype): run by core/ops'
// shape kernels directly on the int8 tensors (§3.8-3.10).
var movementOps = map[string]bool{"Reshape": true, "Flatten": true, "Squeeze": true, "Unsqueeze": true,
	"Transpose": true, "Slice": true, "Split": true, "Gather": true, "DepthToSpace": true, "SpaceToDepth": true,
	"Expand": true, "Tile": true, "Resize": true, "Upsample": true, "Pad": true}

// kernelFor picks the integer kernel of a step, or nil for the float path.
func (p *Program) kernelFor(st *emuStep) (emuKernel, string, error) {
	n := st.node
	if n.Domain == emuDomain && n.OpType == "Quantize" {
		return quantizeKernel{}, "quantize", nil
	}
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return nil, "", nil
	}
	outs := n.Outputs
	if st.act != nil {
		outs = st.act.Outputs
	}
	for _, o := range outs {
		if o != "" && !p.isQ(o) {
			return nil, "", nil
		}
	}
	if len(outs) == 0 || outs[0] == "" {
		return nil, "", nil
	}
	act := actNone
	if st.act != nil {
		act, _ = p.activation(st.act)
	}
	q := func(i int) bool { return i < len(n.Inputs) && n.Inputs[i] != "" && p.isQ(n.Inputs[i]) }
	param := func(i int) *emuParam {
		if i < len(n.Inputs) && n.Inputs[i] != "" {
			return p.g.params[n.Inputs[i]]
		}
		return nil
	}
	ap := p.g.approx[n.Name]
	switch n.OpType {
	case "Conv", "ConvTranspose":
		w := param(1)
		if !q(0) || w == nil || len(w.Shape) != 4 || (len(n.Inputs) > 2 && n.Inputs[2] != "" && param(2) == nil) {
			return nil, "", nil
		}
		if n.OpType == "ConvTranspose" {
			return p.newConvTranspose(n, w, param(2), act, outs[0])
		}
		return p.newConv(n, w, param(2), act, outs[0])
	case "Gemm", "MatMul":
		w := param(1)
		if !q(0) || w == nil || len(w.Shape) != 2 || (len(n.Inputs) > 2 && n.Inputs[2] != "" && param(2) == nil) {
			return nil, "", nil
		}
		return p.newFC(n, w, param(2), act, outs[0])
	case "Relu", "Clip", "LeakyRelu":
		a, ok := p.activation(n)
		if !ok || !q(0) {
			return nil, "", nil
		}
		return &actKernel{act: a}, "activation", nil
	case "Add", "Sum", "Mul":
		for i := range n.Inputs {
			if !q(i) {
				return nil, "", nil
			}
		}
		if n.OpType == "Mul" && len(n.Inputs) != 2 {
			return nil, "", nil
		}
		return &eltwiseKernel{node: n, mul: n.OpType == "Mul", act: act}, "eltwise", nil
	case "Concat":
		for i := range n.Inputs {
			if !q(i) {
				return nil, "", nil
			}
		}
		axis, err := n.AttrInt("axis", 1)
		if err != nil {
			return nil, "", err
		}
		return &concatKernel{node: n, axis: int(axis)}, "concat", nil
	case "HardSigmoid", "HardSwish":
		if ap == nil || !q(0) {
			return nil, "", nil
		}
		if n.OpType == "HardSwish" {
			return hardSwishKernel{}, "hard_swish", nil
		}
		return hardSigmoidKernel{}, "hard_sigmoid", nil
	case "AveragePool", "GlobalAveragePool", "ReduceMean":
		if ap == nil || ap.Kind != quant.ApproxAvgPool || !q(0) {
			return nil, "", nil
		}
		return p.newAvgPool(n, ap)
	case "MaxPool", "GlobalMaxPool":
		if !q(0) || len(n.Outputs) != 1 {
			return nil, "", nil
		}
		return p.newMaxPool(n)
	case "Identity":
		if q(0) {
			return movementKernel{node: n, k: identityKernel}, "move", nil
		}
	}
	if movementOps[n.OpType] && q(0) {
		k, ok := ops.Lookup(n.Domain, n.OpType)
		if !ok {
			return nil, "", nil
		}
		if n.OpType == "Pad" && len(n.Inputs) > 2 && n.Inputs[2] != "" {
			return nil, "", nil // a float pad value: the float path rounds it
		}
		if mode, _ := n.AttrString("mode", "nearest"); (n.OpType == "Resize" || n.OpType == "Upsample") && mode != "nearest" {
			return nil, "", nil
		}
		return movementKernel{node: n, k: k}, "move", nil
	}
	return nil, "", nil
}

func identityKernel(_ *ops.Ctx, _ *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{in[0]}, nil
}

// ---- float path (CPU side) ----

// floatKernel runs a node's float kernel on dequantized inputs (q·2^-fp,
// exact in float32) and quantizes every output that has a fix_pos with
// DPU_ROUND, as the runtime does at a CPU -> DPU boundary.
type floatKernel struct {
	node   *graph.Node
	approx *emuApprox
	k      ops.Kernel
	deq    []*tensor.Tensor
	ins    []*tensor.Tensor
}

func (f *floatKernel) run(p *Program, in, out []*emuValue) error {
	n := f.node
	if f.k == nil {
		k, ok := ops.Lookup(n.Domain, n.OpType)
		if !ok {
			return n.Errorf("dpu: emulator: unsupported op %s", n.OpType)
		}
		f.k = k
		f.deq = make([]*tensor.Tensor, len(in))
		f.ins = make([]*tensor.Tensor, len(in))
	}
	for i, v := range in {
		switch {
		case v == nil:
			f.ins[i] = nil
		case v.q:
			if v.t == nil {
				return n.Errorf("dpu: emulator: input %q was not computed", n.Inputs[i])
			}
			if pr := p.g.params[n.Inputs[i]]; pr != nil {
				f.ins[i] = pr.dequantized()
				continue
			}
			d := f.deq[i]
			if d == nil || cap(d.F32) < len(v.t.I8) {
				d = &tensor.Tensor{DType: tensor.Float32, F32: make([]float32, len(v.t.I8))}
				f.deq[i] = d
			}
			d.F32 = d.F32[:len(v.t.I8)]
			d.Shape = append(d.Shape[:0], v.t.Shape...)
			s := float32(math.Ldexp(1, -v.fp))
			for j, x := range v.t.I8 {
				d.F32[j] = float32(x) * s
			}
			f.ins[i] = d
		default:
			if v.t == nil {
				return n.Errorf("dpu: emulator: input %q was not computed", n.Inputs[i])
			}
			f.ins[i] = v.t
		}
	}
	res, err := f.k(&p.ctx, n, f.ins)
	if err != nil {
		return err
	}
	for j, o := range out {
		if o == nil {
			continue
		}
		if j >= len(res) || res[j] == nil {
			return n.Errorf("dpu: emulator: output %d was not computed", j)
		}
		t := res[j]
		if !o.q {
			o.t = t
			continue
		}
		if t.DType != tensor.Float32 {
			return n.Errorf("dpu: emulator: output %q is %s, cannot quantize", n.Outputs[j], t.DType)
		}
		dst := ensureI8(o, t.Shape)
		scale := math.Ldexp(1, o.fp)
		if f.approx != nil && j == 0 {
			var fn func(float64) float64
			switch f.approx.Kind {
			case quant.ApproxLeakyRelu:
				fn = func(x float64) float64 {
					if x < 0 {
						return x * quant.LeakyReluSlope
					}
					return x
				}
			case quant.ApproxHardSigmoid:
				fn = hardSigmoidF
			case quant.ApproxHardSwish:
				fn = func(x float64) float64 {
					return x * math.Ldexp(float64(quantizeF64(hardSigmoidF(x), 128)), -quant.HardSwishSigmoidFixPos)
				}
			default:
				return n.Errorf("dpu: emulator: approximation %s on float input is not supported", f.approx.Kind)
			}
			x := f.ins[0].F32
			for i := range dst {
				dst[i] = quantizeF64(fn(float64(x[i])), scale)
			}
			continue
		}
		for i, x := range t.F32 {
			dst[i] = quantizeF(x, scale)
		}
	}
	return nil
}

// hardSigmoidF is relu6(x+3)·2731/2^14 in float64 (§3.2).
func hardSigmoidF(x float64) float64 {
	return min(max(x+3, 0), 6) * quant.HardSigmoidMul / (1 << quant.HardSigmoidShift)
}

// quantizeKernel quantizes a float value at its fix_pos (DPU_ROUND).
type quantizeKernel struct{}

func (quantizeKernel) run(p *Program, in, out []*emuValue) error {
	t := in[0].t
	if t == nil || t.DType != tensor.Float32 {
		return fmt.Errorf("dpu: emulator: quantize: input is not float32")
	}
	dst := ensureI8(out[0], t.Shape)
	scale := math.Ldexp(1, out[0].fp)
	for i, x := range t.F32 {
		dst[i] = quantizeF(x, scale)
	}
	return nil
}

// movementKernel runs a dtype-generic core/ops shape kernel on int8 data
// and rescales to the output fix_pos if it differs from the input's.
type movementKernel struct {
	node *graph.Node
	k    ops.Kernel
}

func (m movementKernel) run(p *Program, in, out []*emuValue) error {
	ts := make([]*tensor.Tensor, len(in))
	for i, v := range in {
		if v != nil {
			ts[i] = v.t
		}
	}
	res, err := m.k(&p.ctx, m.node, ts)
	if err != nil {
		return err
	}
	for j, o := range out {
		if o == nil {
			continue
		}
		if j >= len(res) || res[j] == nil || res[j].DType != tensor.Int8 {
			return m.node.Errorf("dpu: emulator: output %d is not int8", j)
		}
		t := res[j]
		if o.fp == in[0].fp {
			o.t = t
			continue
		}
		dst := ensureI8(o, t.Shape)
		s := in[0].fp - o.fp
		for i, x := range t.I8 {
			dst[i] = roundShift(int64(x), s)
		}
	}
	return nil
}

// ---- activations, eltwise, concat ----

// actKernel is a standalone ReLU / ReLU6 / LeakyReLU(26/256) on int8
// input: requant of x·2^-fi (§2.1 step 3-4 without the conv).
type actKernel struct{ act actKind }

func (a *actKernel) run(p *Program, in, out []*emuValue) error {
	x := in[0]
	dst := ensureI8(out[0], x.t.Shape)
	e, sh := x.fp, 0
	if e < 0 {
		e, sh = 0, -x.fp
	}
	fo := out[0].fp
	for i, v := range x.t.I8 {
		dst[i] = requant(int64(v)<<sh, e, a.act, fo)
	}
	return nil
}

// eltwiseKernel is Add/Sum (inputs aligned to the largest fix_pos F and
// summed exactly, optional fused ReLU) or Mul (exact product at Σ fp),
// then one DPU_ROUND at fo (§3.6, §6 item 4). Inputs broadcast (numpy).
type eltwiseKernel struct {
	node  *graph.Node
	mul   bool
	act   actKind
	shape []int
	strd  [][]int
	acc   []int64
}

func (k *eltwiseKernel) run(p *Program, in, out []*emuValue) error {
	shapes := make([][]int, len(in))
	for i, v := range in {
		shapes[i] = v.t.Shape
	}
	shape, err := broadcastShape(shapes)
	if err != nil {
		return k.node.Errorf("dpu: emulator: %v", err)
	}
	dst := ensureI8(out[0], shape)
	n := len(dst)
	if cap(k.acc) < n {
		k.acc = make([]int64, n)
	}
	acc := k.acc[:n]
	fo := out[0].fp
	if k.mul {
		a, b := in[0], in[1]
		e := a.fp + b.fp
		clear(acc)
		broadcastEach(shape, a.t.Shape, func(o, i int) { acc[o] = int64(a.t.I8[i]) })
		broadcastEach(shape, b.t.Shape, func(o, i int) { acc[o] *= int64(b.t.I8[i]) })
		sh := 0
		if e < 0 {
			sh, e = -e, 0
		}
		for i, v := range acc {
			dst[i] = requant(v<<sh, e, actNone, fo)
		}
		return nil
	}
	f := in[0].fp
	for _, v := range in[1:] {
		f = max(f, v.fp)
	}
	e := max(f, 0)
	clear(acc)
	for _, v := range in {
		s := e - v.fp
		x := v.t.I8
		broadcastEach(shape, v.t.Shape, func(o, i int) { acc[o] += int64(x[i]) << s })
	}
	for i, v := range acc {
		dst[i] = requant(v, e, k.act, fo)
	}
	return nil
}

// broadcastShape is the numpy broadcast of shapes.
func broadcastShape(shapes [][]int) ([]int, error) {
	r := 0
	for _, s := range shapes {
		r = max(r, len(s))
	}
	out := make([]int, r)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := r - len(s)
		for i, d := range s {
			switch {
			case out[off+i] == 1:
				out[off+i] = d
			case d != 1 && d != out[off+i]:
				return nil, fmt.Errorf("shapes %v do not broadcast", shapes)
			}
		}
	}
	return out, nil
}

// broadcastEach calls f(outIndex, inIndex) for every element of an output
// of shape out, inIndex being the element of an input of shape in that
// broadcasts to it. The innermost axis runs as a plain loop.
func broadcastEach(out, in []int, f func(o, i int)) {
	r := len(out)
	if r == 0 {
		f(0, 0)
		return
	}
	strides := make([]int, r)
	s := 1
	for i := r - 1; i >= 0; i-- {
		j := i - (r - len(in))
		if j >= 0 && in[j] != 1 {
			strides[i] = s
		}
		if j >= 0 {
			s *= in[j]
		}
	}
	idx := make([]int, r)
	inner, istr := out[r-1], strides[r-1]
	total := 1
	for _, d := range out {
		total *= d
	}
	base := 0
	for o := 0; o < total; o += inner {
		for k := 0; k < inner; k++ {
			f(o+k, base+k*istr)
		}
		// advance the outer index
		for a := r - 2; a >= 0; a-- {
			idx[a]++
			base += strides[a]
			if idx[a] < out[a] {
				break
			}
			base -= strides[a] * idx[a]
			idx[a] = 0
		}
	}
}

// concatKernel rescales every input to the output fix_pos with DPU_ROUND
// (§3.7, §6 item 8; a copy when the fix_pos agree).
type concatKernel struct {
	node *graph.Node
	axis int
}

func (k *concatKernel) run(p *Program, in, out []*emuValue) error {
	r := len(in[0].t.Shape)
	axis := k.axis
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return k.node.Errorf("dpu: emulator: axis %d out of range for rank %d", k.axis, r)
	}
	shape := append([]int(nil), in[0].t.Shape...)
	shape[axis] = 0
	for _, v := range in {
		if len(v.t.Shape) != r {
			return k.node.Errorf("dpu: emulator: inputs of different ranks")
		}
		for d := 0; d < r; d++ {
			if d != axis && v.t.Shape[d] != shape[d] {
				return k.node.Errorf("dpu: emulator: input shapes %v and %v differ off axis %d", in[0].t.Shape, v.t.Shape, axis)
			}
		}
		shape[axis] += v.t.Shape[axis]
	}
	dst := ensureI8(out[0], shape)
	outer := 1
	for d := 0; d < axis; d++ {
		outer *= shape[d]
	}
	inner := 1
	for d := axis + 1; d < r; d++ {
		inner *= shape[d]
	}
	row := shape[axis] * inner
	fo := out[0].fp
	off := 0
	for _, v := range in {
		w := v.t.Shape[axis] * inner
		s := v.fp - fo
		for o := 0; o < outer; o++ {
			src := v.t.I8[o*w : (o+1)*w]
			d := dst[o*row+off : o*row+off+w]
			if s == 0 {
				copy(d, src)
				continue
			}
			for i, x := range src {
				d[i] = roundShift(int64(x), s)
			}
		}
		off += w
	}
	return nil
}

// ---- hard-sigmoid, hard-swish ----

// hardSigmoidQ is §6 item 6: relu6(x+3)·2731/2^14 from x_q at fi, exact,
// then one DPU_ROUND at fo (the clamp at 6 is the simulation's; with
// fo >= 7 it saturates like the CPU reference's missing upper clamp).
func hardSigmoidQ(x int8, fi, fo int) int8 {
	e, sh := fi, 0
	if e < 0 {
		e, sh = 0, -fi
	}
	v := int64(x)<<sh + 3<<e
	v = min(max(v, 0), 6<<e) * quant.HardSigmoidMul
	return roundShift(v, e+quant.HardSigmoidShift-fo)
}

type hardSigmoidKernel struct{}

func (hardSigmoidKernel) run(p *Program, in, out []*emuValue) error {
	x := in[0]
	dst := ensureI8(out[0], x.t.Shape)
	for i, v := range x.t.I8 {
		dst[i] = hardSigmoidQ(v, x.fp, out[0].fp)
	}
	return nil
}

// hardSwishKernel is §6 item 7: h = hard-sigmoid at fix_pos 7, then
// x·h at fi+7, one DPU_ROUND at fo.
type hardSwishKernel struct{}

func (hardSwishKernel) run(p *Program, in, out []*emuValue) error {
	x := in[0]
	dst := ensureI8(out[0], x.t.Shape)
	fi, fo := x.fp, out[0].fp
	for i, v := range x.t.I8 {
		h := hardSigmoidQ(v, fi, quant.HardSwishSigmoidFixPos)
		dst[i] = roundShift(int64(v)*int64(h), fi+quant.HardSwishSigmoidFixPos-fo)
	}
	return nil
}
