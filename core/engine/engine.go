package engine

import (
	"context"
	"fmt"
	"unsafe"

	"fixq/core/graph"
	"fixq/core/ops"
	"fixq/core/tensor"
)

// Options tune a Session. The zero value is fine.
type Options struct {
	// AfterNode, if set, is called after each node with its outputs, which
	// it may modify in place (same shapes). An error stops the run.
	AfterNode func(n *graph.Node, outputs []*tensor.Tensor) error
	// KeepAll keeps every intermediate value in Run's result (for
	// debugging and dumps) instead of only the graph outputs.
	KeepAll bool
}

// Session runs one model.
type Session struct {
	Model   *graph.Model
	opts    Options
	kernels []ops.Kernel
	ctx     ops.Ctx

	// Values are numbered in NewSession; a run indexes slices by number.
	names   []string
	ids     map[string]int
	nodeIn  [][]int // per node, its input values (-1 for an omitted one)
	nodeOut [][]int // per node, its output values (-1 for an omitted one)
	// release[i] lists the values whose last reader is node i (once each),
	// dead[i] the outputs of node i nobody reads (and not graph outputs).
	release [][]int
	dead    [][]int
	isInit  []bool // names an initializer (looked up in the graph each run)
	inits   []int  // the initializer values read by some node or output
	outputs []int  // the graph outputs

	// Constant nodes are computed once, when no option can observe or
	// change their outputs (AfterNode, KeepAll): their values are held
	// here (nil: not cached) and those nodes are skipped.
	constVals []*tensor.Tensor // per value
	constNode []bool           // per node

	run runState
}

// runState is one run's bookkeeping, kept between runs so that a run
// allocates only what kernels allocate (and the result map).
type runState struct {
	vals []*tensor.Tensor
	// root[v] is the value whose storage v shares (itself if v's float32
	// storage is new in this run); -1 for storage the run does not own
	// (inputs, initializers, constants, non-float32 data).
	root []int
	// refs[r] counts the live values sharing root r's storage.
	refs []int
	in   []*tensor.Tensor
}

// NewSession prepares m for running. It fails with *ops.UnsupportedError
// listing every unsupported node, or with an error from Validate.
func NewSession(m *graph.Model, opts Options) (*Session, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("engine: no graph")
	}
	g := m.Graph
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if err := ops.CheckSupported(g); err != nil {
		return nil, err
	}
	s := &Session{Model: m, opts: opts, ids: map[string]int{}}
	s.ctx = ops.Ctx{Opset: m.Opset(), Pool: &tensor.Pool{}}
	id := func(name string) int {
		if v, ok := s.ids[name]; ok {
			return v
		}
		v := len(s.names)
		s.ids[name] = v
		s.names = append(s.names, name)
		return v
	}
	for _, vi := range g.Inputs {
		id(vi.Name)
	}
	for _, name := range g.InitializerOrder {
		id(name)
	}
	for name := range g.Initializers { // in case the order list is short
		id(name)
	}
	s.nodeIn = make([][]int, len(g.Nodes))
	s.nodeOut = make([][]int, len(g.Nodes))
	for i, n := range g.Nodes {
		k, _ := ops.Lookup(n.Domain, n.OpType)
		s.kernels = append(s.kernels, k)
		s.nodeIn[i] = make([]int, len(n.Inputs))
		for j, name := range n.Inputs {
			s.nodeIn[i][j] = -1
			if name != "" {
				s.nodeIn[i][j] = id(name)
			}
		}
		s.nodeOut[i] = make([]int, len(n.Outputs))
		for j, name := range n.Outputs {
			s.nodeOut[i][j] = -1
			if name != "" {
				s.nodeOut[i][j] = id(name)
			}
		}
	}
	for _, o := range g.Outputs {
		s.outputs = append(s.outputs, id(o.Name))
	}
	nv := len(s.names)
	s.isInit = make([]bool, nv)
	used := make([]bool, nv)
	for name := range g.Initializers {
		s.isInit[s.ids[name]] = true
	}
	// lastUse[v]: the last node reading v; -1 if none; keep marks graph
	// outputs, which survive the run.
	lastUse := make([]int, nv)
	for v := range lastUse {
		lastUse[v] = -1
	}
	for i := range g.Nodes {
		for _, v := range s.nodeIn[i] {
			if v >= 0 {
				lastUse[v] = i
				used[v] = true
			}
		}
	}
	keep := make([]bool, nv)
	for _, v := range s.outputs {
		keep[v] = true
		used[v] = true
	}
	s.release = make([][]int, len(g.Nodes))
	s.dead = make([][]int, len(g.Nodes))
	for i := range g.Nodes {
		for k, v := range s.nodeIn[i] {
			if v < 0 || keep[v] || s.isInit[v] || lastUse[v] != i || seenBefore(s.nodeIn[i], k) {
				continue
			}
			s.release[i] = append(s.release[i], v)
		}
		for k, v := range s.nodeOut[i] {
			if v >= 0 && !used[v] && !seenBefore(s.nodeOut[i], k) {
				s.dead[i] = append(s.dead[i], v)
			}
		}
	}
	for v := 0; v < nv; v++ {
		if s.isInit[v] && (used[v] || opts.KeepAll) {
			s.inits = append(s.inits, v)
		}
	}
	s.run = runState{
		vals: make([]*tensor.Tensor, nv),
		root: make([]int, nv),
		refs: make([]int, nv),
		in:   make([]*tensor.Tensor, 0, 8),
	}
	if opts.AfterNode == nil && !opts.KeepAll {
		s.cacheConstants(keep)
	}
	return s, nil
}

// cacheConstants computes every ai.onnx Constant node whose outputs are
// not graph outputs; a node that fails is left to fail at run time.
func (s *Session) cacheConstants(keep []bool) {
	s.constVals = make([]*tensor.Tensor, len(s.names))
	s.constNode = make([]bool, len(s.kernels))
	ctx := ops.Ctx{Opset: s.ctx.Opset} // no pool: the values are never recycled
	for i, n := range s.Model.Graph.Nodes {
		if n.OpType != "Constant" || (n.Domain != "" && n.Domain != "ai.onnx") || len(n.Inputs) != 0 {
			continue
		}
		ok := true
		for _, v := range s.nodeOut[i] {
			if v >= 0 && keep[v] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		outs, err := s.runNode(&ctx, i, n, nil)
		if err != nil {
			continue
		}
		for j, v := range s.nodeOut[i] {
			if v >= 0 && j < len(outs) {
				s.constVals[v] = outs[j]
			}
		}
		s.constNode[i] = true
	}
}

// Run computes the graph outputs (every value with KeepAll) from inputs,
// keyed by name. Inputs are checked against the declared dtype and fixed
// dims. Initializers may be overridden by passing a value of the same name.
// Inputs are never modified.
func (s *Session) Run(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	g := s.Model.Graph
	r := &s.run
	defer clear(r.vals) // drop references to this run's tensors
	clear(r.vals)
	for v := range r.root {
		r.root[v] = -1
	}
	clear(r.refs)
	for _, v := range s.inits {
		r.vals[v] = g.Initializers[s.names[v]]
	}
	for v, t := range s.constVals {
		if t != nil {
			r.vals[v] = t
		}
	}
	for _, vi := range g.Inputs {
		t, ok := inputs[vi.Name]
		if !ok {
			return nil, fmt.Errorf("engine: missing input %q", vi.Name)
		}
		if err := CheckInput(vi, t); err != nil {
			return nil, err
		}
		r.vals[s.ids[vi.Name]] = t
	}
	for name, t := range inputs {
		if _, isInit := g.Initializers[name]; isInit {
			if err := t.Validate(); err != nil {
				return nil, fmt.Errorf("engine: override %q: %w", name, err)
			}
			if v, ok := s.ids[name]; ok {
				r.vals[v] = t
			}
		} else if !s.isGraphInput(name) {
			return nil, fmt.Errorf("engine: %q is not an input of the model", name)
		}
	}
	for i, n := range g.Nodes {
		if i&15 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s.constNode != nil && s.constNode[i] {
			continue
		}
		in := r.in[:0]
		for _, v := range s.nodeIn[i] {
			if v < 0 {
				in = append(in, nil)
				continue
			}
			in = append(in, r.vals[v])
		}
		r.in = in
		outs, err := s.runNode(&s.ctx, i, n, in)
		if err != nil {
			return nil, err
		}
		if s.opts.AfterNode != nil {
			if err := s.opts.AfterNode(n, outs); err != nil {
				return nil, err
			}
		}
		for j, v := range s.nodeOut[i] {
			if v < 0 || j >= len(outs) {
				continue
			}
			t := outs[j]
			r.vals[v] = t
			r.root[v] = -1
			p := storage(t)
			if p == nil {
				continue
			}
			// Storage shared with an input or an earlier output of this
			// node (a view) joins that value's root; new storage is owned.
			shared := false
			for k, u := range s.nodeIn[i] {
				if u >= 0 && storage(in[k]) == p {
					r.root[v], shared = r.root[u], true
					break
				}
			}
			for k, u := range s.nodeOut[i][:j] {
				if !shared && u >= 0 && k < len(outs) && storage(outs[k]) == p {
					r.root[v], shared = r.root[u], true
				}
			}
			if !shared {
				r.root[v] = v
			}
			if rt := r.root[v]; rt >= 0 {
				r.refs[rt]++
			}
		}
		if s.opts.KeepAll {
			continue
		}
		// Release values whose last reader was this node, and outputs
		// nobody reads.
		for _, v := range s.release[i] {
			s.drop(v)
		}
		for _, v := range s.dead[i] {
			s.drop(v)
		}
	}
	out := make(map[string]*tensor.Tensor, len(s.outputs))
	if s.opts.KeepAll {
		for v, t := range r.vals {
			if t != nil {
				out[s.names[v]] = t
			}
		}
		return out, nil
	}
	for _, v := range s.outputs {
		t := r.vals[v]
		if t == nil {
			return nil, fmt.Errorf("engine: output %q was not computed", s.names[v])
		}
		if s.aliasesConstant(t) {
			t = t.Clone() // a cached constant must not leave the session
		}
		// Graph outputs leave the session: they are never recycled.
		out[s.names[v]] = t
	}
	return out, nil
}

// drop ends value v's life in this run; its storage goes back to the pool
// when no live value shares it and the run allocated it.
func (s *Session) drop(v int) {
	r := &s.run
	t := r.vals[v]
	if t == nil {
		return
	}
	r.vals[v] = nil
	rt := r.root[v]
	if rt < 0 {
		return
	}
	r.refs[rt]--
	if r.refs[rt] == 0 {
		s.ctx.Pool.Put(t)
	}
}

func (s *Session) isGraphInput(name string) bool {
	for _, vi := range s.Model.Graph.Inputs {
		if vi.Name == name {
			return true
		}
	}
	return false
}

func (s *Session) aliasesConstant(t *tensor.Tensor) bool {
	p := storage(t)
	if p == nil || s.constVals == nil {
		return false
	}
	for _, c := range s.constVals {
		if c != nil && storage(c) == p {
			return true
		}
	}
	return false
}

func (s *Session) runNode(c *ops.Ctx, i int, n *graph.Node, in []*tensor.Tensor) (outs []*tensor.Tensor, err error) {
	defer func() {
		// A kernel panic is a fixq bug, but the user's run must get an error
		// that says where, not a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("node %q (%s): internal error: %v", n.Name, n.OpType, r)
		}
	}()
	outs, err = s.kernels[i](c, n, in)
	if err != nil {
		return nil, err
	}
	if len(outs) < countNonEmpty(n.Outputs) {
		return nil, fmt.Errorf("node %q (%s): kernel gave %d outputs, node declares %d", n.Name, n.OpType, len(outs), len(n.Outputs))
	}
	return outs, nil
}

func countNonEmpty(names []string) int {
	c := 0
	for i, n := range names {
		if n != "" {
			c = i + 1
		}
	}
	return c
}

// storage identifies a tensor's float32 backing array (nil otherwise).
func storage(t *tensor.Tensor) unsafe.Pointer {
	if t == nil || t.DType != tensor.Float32 || cap(t.F32) == 0 {
		return nil
	}
	return unsafe.Pointer(unsafe.SliceData(t.F32[:1]))
}

// CheckInput checks t against a declared graph input: dtype and every
// fixed dim (symbolic dims accept any size).
func CheckInput(vi graph.ValueInfo, t *tensor.Tensor) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("input %q: %w", vi.Name, err)
	}
	if vi.DType != tensor.Undefined && t.DType != vi.DType {
		return fmt.Errorf("input %q: got %v, model wants %v", vi.Name, t.DType, vi.DType)
	}
	if vi.Shape == nil {
		return nil
	}
	if len(vi.Shape) != len(t.Shape) {
		return fmt.Errorf("input %q: got shape %v, model wants rank %d (%s)", vi.Name, t.Shape, len(vi.Shape), FormatDims(vi.Shape))
	}
	for i, d := range vi.Shape {
		if d.Value >= 0 && int64(t.Shape[i]) != d.Value {
			return fmt.Errorf("input %q: got shape %v, model wants %s", vi.Name, t.Shape, FormatDims(vi.Shape))
		}
	}
	return nil
}

// FormatDims prints a symbolic shape like [N,3,48,192].
func FormatDims(ds []graph.Dim) string {
	s := "["
	for i, d := range ds {
		if i > 0 {
			s += ","
		}
		if d.Value >= 0 {
			s += fmt.Sprint(d.Value)
		} else if d.Param != "" {
			s += d.Param
		} else {
			s += "?"
		}
	}
	return s + "]"
}

// seenBefore reports whether names[k] already occurs in names[:k].
func seenBefore[T comparable](names []T, k int) bool {
	for _, n := range names[:k] {
		if n == names[k] {
			return true
		}
	}
	return false
}
