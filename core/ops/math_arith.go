package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// Helpers shared by Add, Sub, Mul and Div: the pre-opset-7 broadcast
// attributes and the per-element row template (see bcRowFn).

// mathArith checks the attributes of an arithmetic node and runs it. Before
// opset 7, Add/Sub/Mul/Div broadcast only B onto A, and only when
// broadcast=1, with B's dims aligned at `axis` (suffix matching when axis
// is absent); numpy broadcasting covers that once B's shape is padded with
// trailing 1s, which is what this does.
func mathArith(c *Ctx, n *graph.Node, in []*tensor.Tensor, fns *mathBinaryFns) ([]*tensor.Tensor, error) {
	if mathOpset(c) >= 7 {
		if err := mathAttrs(n); err != nil {
			return nil, err
		}
		return mathBinary(c, n, in, fns)
	}
	if err := mathAttrs(n, "broadcast", "axis", "consumed_inputs"); err != nil {
		return nil, err
	}
	in, err := mathLegacyBroadcast(n, in)
	if err != nil {
		return nil, err
	}
	return mathBinary(c, n, in, fns)
}

// mathLegacyBroadcast applies the opset<7 axis attribute by reshaping B.
func mathLegacyBroadcast(n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if !n.Has("axis") || len(in) != 2 || in[0] == nil || in[1] == nil {
		return in, nil
	}
	bc, err := n.AttrInt("broadcast", 0)
	if err != nil {
		return nil, err
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	if bc == 0 {
		return in, nil
	}
	a, b := in[0], in[1]
	ax, err := mathAxis(n, "axis", axis, a.Rank())
	if err != nil {
		return nil, err
	}
	pad := a.Rank() - ax - b.Rank()
	if pad < 0 {
		return nil, n.Errorf("B has shape %v, which does not fit A's shape %v at axis %d", b.Shape, a.Shape, axis)
	}
	shape := append([]int(nil), b.Shape...)
	for ; pad > 0; pad-- {
		shape = append(shape, 1)
	}
	b2, err := b.Reshaped(shape...)
	if err != nil {
		return nil, n.Errorf("B: %w", err)
	}
	return []*tensor.Tensor{a, b2}, nil
}

// mathOpset is the model's opset, or "the newest" for a nil Ctx or an
// unset Opset.
func mathOpset(c *Ctx) int64 {
	if c == nil || c.Opset == 0 {
		return 1 << 30
	}
	return c.Opset
}

// bcRowOf makes a row loop from a scalar function. The call per element
// is not inlined; hot ops (Add, Mul, ...) write their loops out instead.
func bcRowOf[A, B, U any](f func(a A, b B) U) bcRowFn[A, B, U] {
	return func(d []U, a []A, b []B, as, bs int) {
		ai, bi := 0, 0
		for i := range d {
			d[i] = f(a[ai], b[bi])
			ai += as
			bi += bs
		}
	}
}
