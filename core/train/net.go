package train

import (
	"context"
	"fmt"
	"unsafe"

	"fixq/core/graph"
	"fixq/core/ops"
	"fixq/core/tensor"
)

// Options tune a Net. The zero value trains the weights and biases of
// every Conv, Gemm and MatMul.
type Options struct {
	// Trainable selects the initializers that get gradients; nil means
	// the weights and biases (inputs 1 and 2) of Conv, Gemm and MatMul.
	Trainable func(name string) bool
	// InputGrads asks for gradients with respect to the graph inputs.
	InputGrads bool
}

// Param is one trainable initializer.
type Param struct {
	Name  string
	Shape []int
	// W holds the float ("master") values the optimizer updates; the
	// forward pass reads their fake-quantized copy (Sync makes it).
	W []float32
	// G is the gradient of the last Backward with respect to W (the
	// straight-through estimator's gate applied).
	G     []float32
	q     *tensor.Tensor
	mask  []uint8
	point Point
	quant bool
	slot  int
}

// Quantized reports whether the forward pass reads W fake-quantized, and
// at which point.
func (p *Param) Quantized() (Point, bool) { return p.point, p.quant }

// Values returns the values the forward pass reads (W, fake-quantized if
// the parameter is a quantization point). Not a copy.
func (p *Param) Values() []float32 { return p.q.F32 }

// Net runs a model forward, keeping every value, and backward: gradients
// of a scalar loss with respect to the trainable parameters (and the
// inputs), through the fake quantization of a Spec with the
// straight-through estimator. Not safe for concurrent use.
type Net struct {
	model *graph.Model
	spec  *Spec
	opts  Options
	steps []*step
	slots map[string]int
	names []string
	// Per slot: the current value, its gradient, the STE gate of a
	// quantized value, and bookkeeping.
	vals     []*tensor.Tensor
	grads    [][]float32
	masks    [][]uint8
	needGrad []bool
	touched  []bool
	owned    []bool
	isInit   []bool
	consts   map[int]*tensor.Tensor // fake-quantized non-trainable constants
	inputBuf map[int]*tensor.Tensor
	params   []*Param
	byName   map[string]*Param
	ctx      ops.Ctx
	mm       *matMul
	ran      int
	zeroed   bool
	// Work buffers of the backward passes.
	colBuf, dyBuf, padBuf, dyPitch, dxPad []float32
}

// step is one node.
type step struct {
	node   *graph.Node
	kernel ops.Kernel
	in     []int // slot per input, -1 for an omitted one
	out    []int
	ins    []*tensor.Tensor
	approx NodeApprox
	back   func(*Net, *step) error
	// Cached geometry of the last backward (windowed ops).
	win    window
	winKey [4]int
}

// NewNet prepares m (a prepared float model: BatchNormalization folded)
// for training under spec (nil: float). The initializers of m are copied
// where trainable, never modified.
func NewNet(m *graph.Model, spec *Spec, opts Options) (*Net, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("train: no model")
	}
	g := m.Graph
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if err := ops.CheckSupported(g); err != nil {
		return nil, err
	}
	net := &Net{model: m, spec: spec, opts: opts, slots: map[string]int{}, byName: map[string]*Param{},
		consts: map[int]*tensor.Tensor{}, inputBuf: map[int]*tensor.Tensor{}}
	net.ctx = ops.Ctx{Opset: m.Opset(), Pool: &tensor.Pool{}}
	mm, err := newMatMul(&net.ctx)
	if err != nil {
		return nil, err
	}
	net.mm = mm
	slot := func(name string) int {
		if name == "" {
			return -1
		}
		if i, ok := net.slots[name]; ok {
			return i
		}
		net.slots[name] = len(net.names)
		net.names = append(net.names, name)
		return len(net.names) - 1
	}
	for _, vi := range g.Inputs {
		slot(vi.Name)
	}
	trainable := opts.Trainable
	if trainable == nil {
		def := map[string]bool{}
		for _, n := range g.Nodes {
			switch n.OpType {
			case "Conv", "Gemm", "MatMul":
				for i := 1; i < len(n.Inputs) && i <= 2; i++ {
					if t := g.Initializers[n.Inputs[i]]; t != nil && t.DType == tensor.Float32 {
						def[n.Inputs[i]] = true
					}
				}
			}
		}
		trainable = func(name string) bool { return def[name] }
	}
	for _, n := range g.Nodes {
		k, _ := ops.Lookup(n.Domain, n.OpType)
		s := &step{node: n, kernel: k, back: backwardFor(n.OpType)}
		for _, in := range n.Inputs {
			s.in = append(s.in, slot(in))
		}
		for _, o := range n.Outputs {
			s.out = append(s.out, slot(o))
		}
		s.ins = make([]*tensor.Tensor, len(n.Inputs))
		net.steps = append(net.steps, s)
	}
	ns := len(net.names)
	net.vals = make([]*tensor.Tensor, ns)
	net.grads = make([][]float32, ns)
	net.masks = make([][]uint8, ns)
	net.needGrad = make([]bool, ns)
	net.touched = make([]bool, ns)
	net.owned = make([]bool, ns)
	net.isInit = make([]bool, ns)
	for name, i := range net.slots {
		t, ok := g.Initializers[name]
		if !ok {
			continue
		}
		net.isInit[i] = true
		if t.DType == tensor.Float32 && trainable(name) {
			p := &Param{Name: name, Shape: append([]int(nil), t.Shape...), W: append([]float32(nil), t.F32...),
				G: make([]float32, len(t.F32)), slot: i}
			p.q = &tensor.Tensor{DType: tensor.Float32, Shape: p.Shape, F32: make([]float32, len(t.F32))}
			p.mask = make([]uint8, len(t.F32))
			net.byName[name] = p
			net.needGrad[i] = true
		}
	}
	// Params in graph order (deterministic).
	for _, s := range net.steps {
		for _, i := range s.in {
			if i >= 0 {
				if p := net.byName[net.names[i]]; p != nil && p.slot == i && !containsParam(net.params, p) {
					net.params = append(net.params, p)
				}
			}
		}
	}
	if opts.InputGrads {
		for _, vi := range g.Inputs {
			net.needGrad[net.slots[vi.Name]] = true
		}
	}
	for _, s := range net.steps {
		need := false
		for _, i := range s.in {
			need = need || (i >= 0 && net.needGrad[i])
		}
		for _, o := range s.out {
			if o >= 0 {
				net.needGrad[o] = net.needGrad[o] || need
			}
		}
	}
	if err := net.SetSpec(spec); err != nil {
		return nil, err
	}
	return net, nil
}

func containsParam(ps []*Param, p *Param) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// SetSpec changes the quantization (new fix positions, say) and
// re-quantizes the parameters and constants.
func (net *Net) SetSpec(spec *Spec) error {
	if spec != nil {
		for name, p := range spec.Points {
			if err := p.validate(name); err != nil {
				return err
			}
		}
	}
	net.spec = spec
	g := net.model.Graph
	for _, s := range net.steps {
		s.approx = spec.approx(s.node.Name)
	}
	clear(net.consts)
	for name, i := range net.slots {
		t := g.Initializers[name]
		if t == nil {
			continue
		}
		net.vals[i] = nil // re-read at the next Forward
		if p := net.byName[name]; p != nil {
			p.point, p.quant = spec.point(name)
			continue
		}
		if pt, ok := spec.point(name); ok && t.DType == tensor.Float32 {
			c := t.Clone()
			fakeQuant(c.F32, c.F32, pt, nil)
			net.consts[i] = c
		}
	}
	net.Sync()
	return nil
}

// Spec returns the current quantization (nil: float).
func (net *Net) Spec() *Spec { return net.spec }

// Sync re-derives every parameter's forward values from W (call it after
// changing W, e.g. after an optimizer step).
func (net *Net) Sync() {
	for _, p := range net.params {
		if p.quant {
			fakeQuant(p.q.F32, p.W, p.point, p.mask)
		} else {
			copy(p.q.F32, p.W)
		}
	}
}

// Params lists the trainable parameters in graph order.
func (net *Net) Params() []*Param { return net.params }

// Param returns a trainable parameter by initializer name, or nil.
func (net *Net) Param(name string) *Param { return net.byName[name] }

// Model is the model the net runs.
func (net *Net) Model() *graph.Model { return net.model }

// StepOf returns the index of the node that produces value name (-1 for
// graph inputs and initializers, -2 for unknown names).
func (net *Net) StepOf(name string) int {
	for i, s := range net.steps {
		for _, o := range s.node.Outputs {
			if o == name {
				return i
			}
		}
	}
	if _, ok := net.slots[name]; ok {
		return -1
	}
	return -2
}

// Steps is the number of nodes.
func (net *Net) Steps() int { return len(net.steps) }

// Value returns a value of the last forward pass (nil if not computed).
func (net *Net) Value(name string) *tensor.Tensor {
	i, ok := net.slots[name]
	if !ok {
		return nil
	}
	return net.vals[i]
}

// Forward runs the first until+1 nodes (all of them for until < 0 or past
// the end) on inputs, keyed by graph input name. Inputs are not modified;
// they must stay unchanged until the next Forward (the net may read them
// in Backward).
func (net *Net) Forward(ctx context.Context, inputs map[string]*tensor.Tensor, until int) error {
	if until < 0 {
		until = len(net.steps) - 1
	}
	return net.forward(ctx, inputs, until+1)
}

// ForwardTo runs the nodes up to the one that produces value name (none
// for a graph input, which is still quantized if it is a point).
func (net *Net) ForwardTo(ctx context.Context, inputs map[string]*tensor.Tensor, name string) error {
	k := net.StepOf(name)
	if k == -2 {
		return fmt.Errorf("train: no value %q", name)
	}
	return net.forward(ctx, inputs, k+1)
}

// forward runs the first count nodes.
func (net *Net) forward(ctx context.Context, inputs map[string]*tensor.Tensor, count int) error {
	net.release()
	g := net.model.Graph
	for _, vi := range g.Inputs {
		t, ok := inputs[vi.Name]
		if !ok || t == nil {
			return fmt.Errorf("train: missing input %q", vi.Name)
		}
		if err := t.Validate(); err != nil {
			return fmt.Errorf("train: input %q: %w", vi.Name, err)
		}
		i := net.slots[vi.Name]
		if pt, ok := net.spec.point(vi.Name); ok && t.DType == tensor.Float32 {
			buf := net.inputBuf[i]
			if buf == nil || cap(buf.F32) < len(t.F32) {
				buf = &tensor.Tensor{DType: tensor.Float32, F32: make([]float32, len(t.F32))}
				net.inputBuf[i] = buf
			}
			buf.Shape = append(buf.Shape[:0], t.Shape...)
			buf.F32 = buf.F32[:len(t.F32)]
			fakeQuant(buf.F32, t.F32, pt, net.maskFor(i, len(t.F32)))
			t = buf
		}
		net.vals[i] = t
	}
	net.loadConstants()
	return net.run(ctx, 0, count)
}

// loadConstants puts the initializers (fake-quantized where they are
// points, the parameters' forward values) into their slots.
func (net *Net) loadConstants() {
	g := net.model.Graph
	for i, t := range net.consts {
		net.vals[i] = t
	}
	for _, p := range net.params {
		net.vals[p.slot] = p.q
	}
	for i, name := range net.names {
		if net.isInit[i] && net.vals[i] == nil {
			net.vals[i] = g.Initializers[name]
		}
	}
}

// run runs nodes [from, count).
func (net *Net) run(ctx context.Context, from, count int) error {
	count = min(count, len(net.steps))
	for k := from; k < count; k++ {
		if k&15 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := net.runStep(net.steps[k]); err != nil {
			return err
		}
		net.ran = k + 1
	}
	return nil
}

// State is a paused forward pass: the values that the nodes after the
// last one run still read (the "frontier"), owned by the State. Advancing
// a State runs only the nodes it has not run, so walking a model layer by
// layer costs one forward pass in all, and memory holds only the frontier.
type State struct {
	next int
	vals map[int]*tensor.Tensor
}

// NewState starts a paused forward pass on inputs (quantized if they are
// points; copied).
func (net *Net) NewState(inputs map[string]*tensor.Tensor) (*State, error) {
	if err := net.forward(context.Background(), inputs, 0); err != nil {
		return nil, err
	}
	st := &State{vals: map[int]*tensor.Tensor{}}
	for _, vi := range net.model.Graph.Inputs {
		i := net.slots[vi.Name]
		st.vals[i] = net.vals[i].Clone()
	}
	return st, nil
}

// AdvanceTo runs st's pass up to the node producing value name (nothing
// if it has run already) and leaves the pass's values readable by Value
// until the next Forward or Advance.
func (net *Net) AdvanceTo(ctx context.Context, st *State, name string) error {
	k := net.StepOf(name)
	if k == -2 {
		return fmt.Errorf("train: no value %q", name)
	}
	net.release()
	for i, t := range st.vals {
		net.vals[i] = t
	}
	net.loadConstants()
	if k+1 <= st.next {
		return nil
	}
	if err := net.run(ctx, st.next, k+1); err != nil {
		return err
	}
	st.next = k + 1
	// The new frontier: values produced so far that a later node (or the
	// graph's outputs) reads.
	live := map[int]bool{}
	for _, s := range net.steps[st.next:] {
		for _, i := range s.in {
			if i >= 0 && !net.isInit[i] {
				live[i] = true
			}
		}
	}
	for _, o := range net.model.Graph.Outputs {
		live[net.slots[o.Name]] = true
	}
	for i := range st.vals {
		if !live[i] {
			delete(st.vals, i)
		}
	}
	for i := range live {
		if t := net.vals[i]; t != nil && st.vals[i] != t {
			st.vals[i] = t.Clone()
		}
	}
	return nil
}

// release gives the previous pass's intermediate storage back to the pool.
func (net *Net) release() {
	for i, t := range net.vals {
		if net.owned[i] && t != nil {
			net.ctx.Pool.Put(t)
		}
		if !net.isInit[i] {
			net.vals[i] = nil
		}
		net.owned[i] = false
	}
	net.ran = 0
	net.zeroed = false
}

func (net *Net) runStep(s *step) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("node %q (%s): internal error: %v", s.node.Name, s.node.OpType, r)
		}
	}()
	for j, i := range s.in {
		if i < 0 {
			s.ins[j] = nil
			continue
		}
		if net.vals[i] == nil {
			return s.node.Errorf("train: input %q was not computed", net.names[i])
		}
		s.ins[j] = net.vals[i]
	}
	var outs []*tensor.Tensor
	f, err := net.ownForward(s)
	if err != nil {
		return err
	}
	if f != nil {
		x := s.ins[0]
		y, err := net.ctx.NewFloat32(x.Shape...)
		if err != nil {
			return s.node.Errorf("%w", err)
		}
		f(y.F32, x.F32)
		outs = []*tensor.Tensor{y}
	} else {
		outs, err = s.kernel(&net.ctx, s.node, s.ins)
		if err != nil {
			return err
		}
	}
	for j, i := range s.out {
		if i < 0 || j >= len(outs) || outs[j] == nil {
			continue
		}
		t := outs[j]
		view := false
		for _, in := range s.ins {
			if in != nil && sameStorage(in, t) {
				view = true
			}
		}
		pt, isPoint := net.spec.point(net.names[i])
		scale := j == 0 && s.approx.Approx == ApproxAvgPool && t.DType == tensor.Float32
		if view && (isPoint || scale) {
			c, err := net.ctx.NewFloat32(t.Shape...)
			if err != nil {
				return s.node.Errorf("%w", err)
			}
			copy(c.F32, t.F32)
			t, view = c, false
		}
		if scale {
			gain := float32(s.approx.Gain)
			for k := range t.F32 {
				t.F32[k] *= gain
			}
		}
		if isPoint && t.DType == tensor.Float32 {
			fakeQuant(t.F32, t.F32, pt, net.maskFor(i, len(t.F32)))
		}
		net.vals[i] = t
		net.owned[i] = !view && t.DType == tensor.Float32
	}
	return nil
}

// maskFor returns the STE gate buffer of slot i when gradients flow
// through it, else nil.
func (net *Net) maskFor(i, n int) []uint8 {
	if !net.needGrad[i] {
		return nil
	}
	if cap(net.masks[i]) < n {
		net.masks[i] = make([]uint8, n)
	}
	net.masks[i] = net.masks[i][:n]
	return net.masks[i]
}

func sameStorage(a, b *tensor.Tensor) bool {
	if a.DType != tensor.Float32 || b.DType != tensor.Float32 || cap(a.F32) == 0 || cap(b.F32) == 0 {
		return false
	}
	return unsafe.SliceData(a.F32[:1]) == unsafe.SliceData(b.F32[:1])
}

// zeroGrads readies the gradient buffers of the last forward pass.
func (net *Net) zeroGrads() {
	if net.zeroed {
		return
	}
	for i, t := range net.vals {
		net.touched[i] = false
		if !net.needGrad[i] || t == nil || t.DType != tensor.Float32 {
			continue
		}
		n := len(t.F32)
		if cap(net.grads[i]) < n {
			net.grads[i] = make([]float32, n)
		}
		net.grads[i] = net.grads[i][:n]
		clear(net.grads[i])
	}
	for _, p := range net.params {
		net.grads[p.slot] = p.G
		clear(p.G)
	}
	net.zeroed = true
}

// SeedGrad returns the (zeroed) gradient buffer of value name, for the
// caller to fill with dLoss/dValue before Backward. The value must have
// been computed by the last Forward and depend on a trainable parameter
// (or an input with Options.InputGrads).
func (net *Net) SeedGrad(name string) ([]float32, error) {
	i, ok := net.slots[name]
	if !ok {
		return nil, fmt.Errorf("train: no value %q", name)
	}
	net.zeroGrads()
	if !net.needGrad[i] || net.vals[i] == nil {
		return nil, fmt.Errorf("train: value %q does not depend on anything trainable (or was not computed)", name)
	}
	net.touched[i] = true
	return net.grads[i], nil
}

// gradFor returns the gradient buffer an input gradient accumulates
// into, or nil when that input needs none.
func (net *Net) gradFor(s *step, j int) []float32 {
	if j >= len(s.in) {
		return nil
	}
	i := s.in[j]
	if i < 0 || !net.needGrad[i] || net.grads[i] == nil {
		return nil
	}
	net.touched[i] = true
	return net.grads[i]
}

// Backward propagates the seeded gradients back through the nodes of the
// last forward pass. Afterwards Param.G holds dLoss/dW and InputGrad the
// input gradients.
func (net *Net) Backward(ctx context.Context) error {
	net.zeroGrads()
	for k := net.ran - 1; k >= 0; k-- {
		if k&15 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s := net.steps[k]
		live := false
		for _, o := range s.out {
			if o >= 0 && net.touched[o] && net.grads[o] != nil {
				live = true
				if m := net.masks[o]; m != nil && net.spec != nil {
					if _, ok := net.spec.point(net.names[o]); ok {
						applyMask(net.grads[o], m)
					}
				}
			}
		}
		if !live {
			continue
		}
		if s.back == nil {
			return s.node.Errorf("train: no backward pass for %s", s.node.OpType)
		}
		if err := s.back(net, s); err != nil {
			return err
		}
	}
	for _, p := range net.params {
		if p.quant {
			applyMask(p.G, p.mask)
		}
	}
	if net.opts.InputGrads {
		for _, vi := range net.model.Graph.Inputs {
			i := net.slots[vi.Name]
			if _, ok := net.spec.point(vi.Name); ok && net.masks[i] != nil && net.grads[i] != nil {
				applyMask(net.grads[i], net.masks[i])
			}
		}
	}
	return nil
}

// InputGrad returns the gradient with respect to a graph input (with
// Options.InputGrads), or nil.
func (net *Net) InputGrad(name string) []float32 {
	i, ok := net.slots[name]
	if !ok || !net.needGrad[i] {
		return nil
	}
	return net.grads[i]
}

func applyMask(g []float32, m []uint8) {
	m = m[:len(g)]
	for i, v := range m {
		if v == 0 {
			g[i] = 0
		}
	}
}
