package dpu

import (
	"context"
	"fmt"
	"math"
	"sort"

	"fixq/core/graph"
	"fixq/core/ops"
	"fixq/core/quant"
	"fixq/core/tensor"
)

// Program is a quantized model compiled for the fixed-point emulator (see
// the package doc, "Emulator"): a list of steps, each an integer DPU
// kernel or a float (CPU-side) op, over int8 tensors with fix positions.
// A Program keeps its buffers between runs, so it is not safe for
// concurrent use; the int8 values of the last run stay readable (Values)
// until the next one.
type Program struct {
	g      *emuGraph
	steps  []*emuStep
	index  map[string]int
	vals   []emuValue
	inputs []graph.ValueInfo
	// outputs are the graph outputs' value slots.
	outputs []string
	ctx     ops.Ctx
	scratch emuScratch
}

// emuValue is one value at run time: an int8 tensor with its fix_pos, or
// any other tensor (float data on the CPU side, shapes, indices).
type emuValue struct {
	t  *tensor.Tensor
	fp int
	q  bool
	// constant values (initializers, parameters) survive resets
	constant bool
}

// emuStep is one node (or a fused conv/add + activation pair).
type emuStep struct {
	node *graph.Node
	// act is the fused activation node, if any.
	act  *graph.Node
	in   []int
	out  []int
	kern emuKernel
	// kind names the kernel for reports ("conv", "float", ...).
	kind string
	// device and subgraph come from Program.Inspect.
	device   Device
	subgraph int
}

// emuKernel computes one step's outputs from its inputs.
type emuKernel interface {
	run(p *Program, in, out []*emuValue) error
}

// emuScratch holds buffers shared by kernels within one run.
type emuScratch struct {
	bp  []int64
	acc []int32
	i64 []int64
	pad []int8
}

// Compile reads fixq's QDQ ONNX export (power-of-two scales, zero point 0)
// and compiles it for the emulator.
func Compile(m *graph.Model) (*Program, error) {
	eg, err := fromQDQ(m)
	if err != nil {
		return nil, err
	}
	return build(eg)
}

// CompileResult compiles the quantizer's in-memory result: its prepared
// float model and plan (quant.Result.Prepared, quant.Result.Plan).
func CompileResult(prepared *graph.Model, plan *quant.Plan) (*Program, error) {
	eg, err := fromResult(prepared, plan)
	if err != nil {
		return nil, err
	}
	return build(eg)
}

// FixPos returns the fix_pos of an int8 value of the program (model
// inputs read by the DPU, activations, parameters).
func (p *Program) FixPos(name string) (int, bool) {
	if fp, ok := p.g.fix[name]; ok {
		return fp, true
	}
	if pr := p.g.params[name]; pr != nil {
		return pr.FixPos, true
	}
	return 0, false
}

// Inputs are the model's inputs.
func (p *Program) Inputs() []graph.ValueInfo { return p.inputs }

// Model is the float-semantics graph the program runs (Q/DQ removed).
func (p *Program) Model() *graph.Model { return p.g.model }

func (p *Program) slot(name string) int {
	if i, ok := p.index[name]; ok {
		return i
	}
	i := len(p.vals)
	p.index[name] = i
	p.vals = append(p.vals, emuValue{})
	return i
}

func build(eg *emuGraph) (*Program, error) {
	g := eg.model.Graph
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("dpu: emulator: %w", err)
	}
	p := &Program{g: eg, index: map[string]int{}, inputs: g.Inputs}
	p.ctx = ops.Ctx{Opset: eg.model.Opset(), Pool: nil}
	names := make([]string, 0, len(g.Initializers))
	for name := range g.Initializers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := g.Initializers[name]
		i := p.slot(name)
		p.vals[i] = emuValue{t: t, constant: true}
	}
	pnames := make([]string, 0, len(eg.params))
	for name := range eg.params {
		pnames = append(pnames, name)
	}
	sort.Strings(pnames)
	for _, name := range pnames {
		pr := eg.params[name]
		i := p.slot(name)
		p.vals[i] = emuValue{t: &tensor.Tensor{DType: tensor.Int8, Shape: pr.Shape, I8: pr.Q}, fp: pr.FixPos, q: true, constant: true}
	}
	for _, vi := range g.Inputs {
		p.slot(vi.Name)
	}
	cons := g.Consumers()
	fusedAct := map[*graph.Node]bool{}
	for _, n := range g.Nodes {
		if fusedAct[n] {
			continue
		}
		st := &emuStep{node: n}
		outs := n.Outputs
		if act := p.fusableAct(n, cons); act != nil {
			st.act = act
			fusedAct[act] = true
			outs = act.Outputs
		}
		for _, v := range n.Inputs {
			st.in = append(st.in, p.slotOrNone(v))
		}
		for _, v := range outs {
			st.out = append(st.out, p.slotOrNone(v))
		}
		k, kind, err := p.kernelFor(st)
		if err != nil {
			return nil, err
		}
		if k == nil && st.act != nil {
			// No integer kernel for the pair: the activation gets a step
			// of its own (reached later in this loop).
			delete(fusedAct, st.act)
			st.act = nil
			st.out = st.out[:0]
			for _, v := range n.Outputs {
				st.out = append(st.out, p.slotOrNone(v))
			}
			k, kind, err = p.kernelFor(st)
			if err != nil {
				return nil, err
			}
		}
		if k == nil {
			k, kind = &floatKernel{node: n, approx: eg.approx[n.Name]}, "float"
		}
		st.kern, st.kind = k, kind
		p.steps = append(p.steps, st)
	}
	for _, o := range g.Outputs {
		p.outputs = append(p.outputs, o.Name)
		p.slot(o.Name)
	}
	for name, fp := range eg.fix {
		if i, ok := p.index[name]; ok {
			p.vals[i].fp, p.vals[i].q = fp, true
		}
	}
	return p, nil
}

func (p *Program) slotOrNone(v string) int {
	if v == "" {
		return -1
	}
	return p.slot(v)
}

// isQ reports whether a value is int8 at run time.
func (p *Program) isQ(v string) bool {
	if _, ok := p.g.fix[v]; ok {
		return true
	}
	return p.g.params[v] != nil
}

// fusableAct returns the activation a conv-like node (or an Add) feeds as
// its only reader, when the node's own output is not quantized and the
// activation's is (soft fusion, §2.1).
func (p *Program) fusableAct(n *graph.Node, cons map[string][]*graph.Node) *graph.Node {
	switch n.OpType {
	case "Conv", "ConvTranspose", "Gemm", "MatMul", "Add":
	default:
		return nil
	}
	if len(n.Outputs) != 1 || p.isQ(n.Outputs[0]) || p.g.model.Graph.IsOutput(n.Outputs[0]) {
		return nil
	}
	cs := cons[n.Outputs[0]]
	if len(cs) != 1 || len(cs[0].Outputs) != 1 || !p.isQ(cs[0].Outputs[0]) || cs[0].Inputs[0] != n.Outputs[0] {
		return nil
	}
	a := cs[0]
	k, ok := p.activation(a)
	if !ok || (n.OpType == "Add" && k != actRelu) {
		return nil
	}
	return a
}

// activation classifies a node as a fusable activation.
func (p *Program) activation(n *graph.Node) (actKind, bool) {
	switch n.OpType {
	case "Relu":
		return actRelu, true
	case "LeakyRelu":
		if a := p.g.approx[n.Name]; a != nil && a.Kind == quant.ApproxLeakyRelu {
			return actLeaky, true
		}
	case "Clip":
		lo, hi, ok := p.g.model.ClipBounds(n)
		if ok && lo == 0 && hi == 6 {
			return actRelu6, true
		}
		if ok && lo == 0 && math.IsInf(hi, 1) {
			return actRelu, true
		}
	}
	return actNone, false
}

// Run computes the model's outputs from float inputs (by name). Model
// inputs the DPU reads are quantized with DPU_ROUND at their fix_pos;
// int8 graph outputs are dequantized (q·2^-fp), as the runtime hands them
// to the application. Inputs are not modified.
func (p *Program) Run(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	for i := range p.vals {
		if v := &p.vals[i]; !v.constant && !v.q {
			v.t = nil
		}
	}
	for _, vi := range p.inputs {
		t, ok := inputs[vi.Name]
		if !ok || t == nil {
			return nil, fmt.Errorf("dpu: emulator: missing input %q", vi.Name)
		}
		v := &p.vals[p.index[vi.Name]]
		fp, q := p.g.fix[vi.Name]
		if !q {
			v.t, v.q = t, false
			continue
		}
		if t.DType != tensor.Float32 {
			return nil, fmt.Errorf("dpu: emulator: input %q is %s, want float32", vi.Name, t.DType)
		}
		o := ensureI8(v, t.Shape)
		scale := math.Ldexp(1, fp)
		for i, x := range t.F32 {
			o[i] = quantizeF(x, scale)
		}
	}
	in := make([]*emuValue, 0, 8)
	out := make([]*emuValue, 0, 4)
	for i, st := range p.steps {
		if i&15 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		in, out = in[:0], out[:0]
		for _, j := range st.in {
			if j < 0 {
				in = append(in, nil)
				continue
			}
			in = append(in, &p.vals[j])
		}
		for _, j := range st.out {
			if j < 0 {
				out = append(out, nil)
				continue
			}
			out = append(out, &p.vals[j])
		}
		if err := st.kern.run(p, in, out); err != nil {
			return nil, err
		}
	}
	res := make(map[string]*tensor.Tensor, len(p.outputs))
	for _, name := range p.outputs {
		v := &p.vals[p.index[name]]
		if v.t == nil {
			return nil, fmt.Errorf("dpu: emulator: output %q was not computed", name)
		}
		if v.q {
			res[name] = dequantize(v.t, v.fp)
		} else {
			res[name] = v.t
		}
	}
	return res, nil
}

// Values calls f for every int8 value of the last run, in computation
// order (model inputs first): name, int8 tensor (valid until the next
// Run) and fix_pos. Parameters are not included.
func (p *Program) Values(f func(name string, q *tensor.Tensor, fixPos int)) {
	seen := map[int]bool{}
	visit := func(j int, name string) {
		if j < 0 || seen[j] {
			return
		}
		v := &p.vals[j]
		if v.constant || !v.q || v.t == nil {
			return
		}
		seen[j] = true
		f(name, v.t, v.fp)
	}
	for _, vi := range p.inputs {
		visit(p.index[vi.Name], vi.Name)
	}
	for _, st := range p.steps {
		outs := st.node.Outputs
		if st.act != nil {
			outs = st.act.Outputs
		}
		for k, j := range st.out {
			visit(j, outs[k])
		}
	}
}

// StepInfo describes one step of a program.
type StepInfo struct {
	Node   string `json:"node"`
	OpType string `json:"op_type"`
	// FusedAct names a soft-fused activation node (§2.1).
	FusedAct string `json:"fused_activation,omitempty"`
	// Kernel is the integer kernel, or "float" for ops computed in float
	// on dequantized inputs (the CPU side).
	Kernel string `json:"kernel"`
	// Device and Subgraph are the Inspector's assignment (after
	// Program.Inspect; empty before).
	Device   Device `json:"device,omitempty"`
	Subgraph int    `json:"subgraph,omitempty"`
}

// Steps lists the program's steps in order.
func (p *Program) Steps() []StepInfo {
	out := make([]StepInfo, 0, len(p.steps))
	for _, st := range p.steps {
		si := StepInfo{Node: st.node.Name, OpType: st.node.OpType, Kernel: st.kind, Device: st.device, Subgraph: st.subgraph}
		if st.act != nil {
			si.FusedAct = st.act.Name
		}
		out = append(out, si)
	}
	return out
}

// ensureI8 makes v an int8 tensor of the given shape, reusing its buffer,
// and returns the data.
func ensureI8(v *emuValue, shape []int) []int8 {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if v.t == nil || v.t.DType != tensor.Int8 || cap(v.t.I8) < n || v.constant {
		v.t = &tensor.Tensor{DType: tensor.Int8, I8: make([]int8, n)}
	}
	v.t.I8 = v.t.I8[:n]
	v.t.Shape = append(v.t.Shape[:0], shape...)
	return v.t.I8
}

// dequantize returns q·2^-fp as a new float32 tensor.
func dequantize(t *tensor.Tensor, fp int) *tensor.Tensor {
	o := &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), t.Shape...), F32: make([]float32, len(t.I8))}
	s := float32(math.Ldexp(1, -fp))
	for i, q := range t.I8 {
		o.F32[i] = float32(q) * s
	}
	return o
}
