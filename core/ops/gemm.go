package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// gemmKernel is Gemm (opsets 1-13): Y = alpha*A'*B' + beta*C with A' = A
// or its transpose (transA), B' likewise, and C unidirectionally
// broadcast to Y's [M, N] (scalar, [N], [1], [M, 1], [1, N] or [M, N]).
// C is optional (required before opset 11; accepted missing anyway). The
// opset < 7 broadcast attribute is accepted: we always broadcast, which
// only widens what old models may do.
func gemmKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 || len(in) > 3 {
		return nil, n.Errorf("has %d inputs, want 2 or 3", len(in))
	}
	if err := nnCheckAttrs(n, "alpha", "beta", "transA", "transB", "broadcast"); err != nil {
		return nil, err
	}
	a, err := nnFloatInput(n, in, 0, "A", 2)
	if err != nil {
		return nil, err
	}
	b, err := nnFloatInput(n, in, 1, "B", 2)
	if err != nil {
		return nil, err
	}
	if a.Rank() != 2 || b.Rank() != 2 {
		return nil, n.Errorf("A %v and B %v must both be 2-D", a.Shape, b.Shape)
	}
	alpha, err := n.AttrFloat("alpha", 1)
	if err != nil {
		return nil, err
	}
	beta, err := n.AttrFloat("beta", 1)
	if err != nil {
		return nil, err
	}
	var trans [2]bool
	for i, name := range []string{"transA", "transB"} {
		v, err := n.AttrInt(name, 0)
		if err != nil {
			return nil, err
		}
		if v != 0 && v != 1 {
			return nil, n.Errorf("%s = %d, want 0 or 1", name, v)
		}
		trans[i] = v == 1
	}
	m, k := a.Shape[0], a.Shape[1]
	if trans[0] {
		m, k = k, m
	}
	kb, nn := b.Shape[0], b.Shape[1]
	if trans[1] {
		kb, nn = nn, kb
	}
	if k != kb {
		return nil, n.Errorf("A' is %dx%d but B' is %dx%d (A %v transA=%v, B %v transB=%v)",
			m, k, kb, nn, a.Shape, trans[0], b.Shape, trans[1])
	}
	y, err := c.NewFloat32(m, nn)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	accumulate := false
	if len(in) == 3 && in[2] != nil && beta != 0 {
		ct := in[2]
		if ct.DType != tensor.Float32 {
			return nil, n.Errorf("C is %v, want float32", ct.DType)
		}
		cm, cn := 1, 1
		switch ct.Rank() {
		case 0:
		case 1:
			cn = ct.Shape[0]
		case 2:
			cm, cn = ct.Shape[0], ct.Shape[1]
		default:
			return nil, n.Errorf("C has shape %v, want rank <= 2", ct.Shape)
		}
		if (cm != 1 && cm != m) || (cn != 1 && cn != nn) {
			return nil, n.Errorf("C has shape %v, which does not broadcast to [%d %d]", ct.Shape, m, nn)
		}
		for i := 0; i < m; i++ {
			row := y.F32[i*nn : (i+1)*nn]
			src := ct.F32[(i%cm)*cn : (i%cm+1)*cn]
			if cn == 1 {
				v := beta * src[0]
				for j := range row {
					row[j] = v
				}
				continue
			}
			for j, v := range src {
				row[j] = beta * v
			}
		}
		accumulate = true
	}
	sgemm(c.nnGemm(), trans[0], trans[1], m, nn, k, alpha, a.F32, a.Shape[1], b.F32, b.Shape[1], y.F32, nn, accumulate)
	return []*tensor.Tensor{y}, nil
}
