package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// shapeKernel implements Shape: it returns its input's dims as a 1-D int64 tensor, optionally only
// dims [start, end) (opset 15; negative values count from the end and
// both are clamped to [0, rank]).
func shapeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := shapeCheckAttrs(n, "start", "end"); err != nil {
		return nil, err
	}
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	rank := int64(x.Rank())
	if (n.Has("start") || n.Has("end")) && shapeOpset(c) < 15 {
		return nil, n.Errorf("attributes start/end need opset 15, model has %d", shapeOpset(c))
	}
	start, err := n.AttrInt("start", 0)
	if err != nil {
		return nil, err
	}
	end, err := n.AttrInt("end", rank)
	if err != nil {
		return nil, err
	}
	clamp := func(v int64) int64 {
		if v < 0 {
			v += rank
		}
		return max(0, min(v, rank))
	}
	start, end = clamp(start), clamp(end)
	m := max(0, end-start)
	out := tensor.MustNew(tensor.Int64, int(m))
	for i := range out.I64 {
		out.I64[i] = int64(x.Shape[int(start)+i])
	}
	return []*tensor.Tensor{out}, nil
}
