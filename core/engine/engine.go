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
	// lastUse[v] is the index of the last node reading v; -1 for values
	// that must survive the run (graph outputs).
	lastUse map[string]int
	ctx     ops.Ctx
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
	s := &Session{Model: m, opts: opts, lastUse: map[string]int{}}
	s.ctx = ops.Ctx{Opset: m.Opset(), Pool: &tensor.Pool{}}
	for i, n := range g.Nodes {
		k, _ := ops.Lookup(n.Domain, n.OpType)
		s.kernels = append(s.kernels, k)
		for _, in := range n.Inputs {
			if in != "" {
				s.lastUse[in] = i
			}
		}
	}
	for _, o := range g.Outputs {
		s.lastUse[o.Name] = -1
	}
	return s, nil
}

// Run computes the graph outputs (every value with KeepAll) from inputs,
// keyed by name. Inputs are checked against the declared dtype and fixed
// dims. Initializers may be overridden by passing a value of the same name.
// Inputs are never modified.
func (s *Session) Run(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	g := s.Model.Graph
	vals := make(map[string]*tensor.Tensor, len(g.Nodes)+len(inputs))
	for name, t := range g.Initializers {
		vals[name] = t
	}
	for _, vi := range g.Inputs {
		t, ok := inputs[vi.Name]
		if !ok {
			return nil, fmt.Errorf("engine: missing input %q", vi.Name)
		}
		if err := CheckInput(vi, t); err != nil {
			return nil, err
		}
		vals[vi.Name] = t
	}
	for name, t := range inputs {
		if _, isInit := g.Initializers[name]; isInit {
			if err := t.Validate(); err != nil {
				return nil, fmt.Errorf("engine: override %q: %w", name, err)
			}
			vals[name] = t
		} else if _, ok := vals[name]; !ok {
			return nil, fmt.Errorf("engine: %q is not an input of the model", name)
		}
	}
	// owned marks the float storage this run allocated (and may recycle);
	// refs counts live values sharing each storage (views alias).
	owned := map[unsafe.Pointer]bool{}
	refs := map[unsafe.Pointer]int{}
	in := make([]*tensor.Tensor, 0, 8)
	for i, n := range g.Nodes {
		if i&15 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		in = in[:0]
		for _, name := range n.Inputs {
			if name == "" {
				in = append(in, nil)
				continue
			}
			in = append(in, vals[name])
		}
		outs, err := s.runNode(i, n, in)
		if err != nil {
			return nil, err
		}
		if s.opts.AfterNode != nil {
			if err := s.opts.AfterNode(n, outs); err != nil {
				return nil, err
			}
		}
		for j, name := range n.Outputs {
			if name == "" || j >= len(outs) {
				continue
			}
			t := outs[j]
			vals[name] = t
			if p := storage(t); p != nil {
				if refs[p] == 0 && !isInputStorage(p, in) {
					owned[p] = true
				}
				refs[p]++
			}
		}
		if s.opts.KeepAll {
			continue
		}
		// Release values whose last reader was this node.
		for k, name := range n.Inputs {
			if name == "" || s.lastUse[name] != i || seenBefore(n.Inputs, k) {
				continue
			}
			t := vals[name]
			if t == nil {
				continue
			}
			if _, isInit := g.Initializers[name]; isInit {
				continue
			}
			delete(vals, name)
			if p := storage(t); p != nil && owned[p] {
				refs[p]--
				if refs[p] == 0 {
					delete(refs, p)
					delete(owned, p)
					s.ctx.Pool.Put(t)
				}
			}
		}
		// Outputs nobody reads (and not graph outputs) die at once.
		for j, name := range n.Outputs {
			if name == "" || j >= len(outs) {
				continue
			}
			if _, used := s.lastUse[name]; !used {
				t := vals[name]
				delete(vals, name)
				if p := storage(t); p != nil && owned[p] {
					refs[p]--
					if refs[p] == 0 {
						delete(refs, p)
						delete(owned, p)
						s.ctx.Pool.Put(t)
					}
				}
			}
		}
	}
	out := make(map[string]*tensor.Tensor, len(g.Outputs))
	if s.opts.KeepAll {
		for k, v := range vals {
			out[k] = v
		}
		return out, nil
	}
	for _, o := range g.Outputs {
		t, ok := vals[o.Name]
		if !ok {
			return nil, fmt.Errorf("engine: output %q was not computed", o.Name)
		}
		// Graph outputs leave the session: detach them from the pool.
		out[o.Name] = t
	}
	return out, nil
}

func (s *Session) runNode(i int, n *graph.Node, in []*tensor.Tensor) (outs []*tensor.Tensor, err error) {
	defer func() {
		// A kernel panic is a fixq bug, but the user's run must get an error
		// that says where, not a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("node %q (%s): internal error: %v", n.Name, n.OpType, r)
		}
	}()
	outs, err = s.kernels[i](&s.ctx, n, in)
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

func isInputStorage(p unsafe.Pointer, in []*tensor.Tensor) bool {
	for _, t := range in {
		if storage(t) == p {
			return true
		}
	}
	return false
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
func seenBefore(names []string, k int) bool {
	for _, n := range names[:k] {
		if n == names[k] {
			return true
		}
	}
	return false
}
