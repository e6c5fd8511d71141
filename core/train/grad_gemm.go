package train

import "fixq/core/tensor"

// gemmBackward is Gemm, Y = alpha·A'·B' + beta·C with A' = A or Aᵀ
// (transA), B' likewise:
//
//	dA' = alpha·dY·B'ᵀ,  dB' = alpha·A'ᵀ·dY,  dC = beta·dY summed over C's broadcast axes.
func gemmBackward(net *Net, s *step) error {
	n := s.node
	a, b, y := net.vals[s.in[0]], net.vals[s.in[1]], net.vals[s.out[0]]
	if a.Rank() != 2 || b.Rank() != 2 || y.Rank() != 2 {
		return n.Errorf("train: Gemm wants 2-D A and B")
	}
	alpha, err := n.AttrFloat("alpha", 1)
	if err != nil {
		return err
	}
	beta, err := n.AttrFloat("beta", 1)
	if err != nil {
		return err
	}
	ta, err := n.AttrInt("transA", 0)
	if err != nil {
		return err
	}
	tb, err := n.AttrInt("transB", 0)
	if err != nil {
		return err
	}
	transA, transB := ta == 1, tb == 1
	m, nn := y.Shape[0], y.Shape[1]
	k := a.Shape[1]
	if transA {
		k = a.Shape[0]
	}
	dy := net.grads[s.out[0]]
	if alpha != 1 {
		d := net.scratch(&net.dyBuf, len(dy))
		for i, v := range dy {
			d[i] = alpha * v
		}
		dy = d
	}
	if da := net.gradFor(s, 0); da != nil {
		if !transA {
			err = net.mm.addProduct(da, false, !transB, m, k, nn, dy, b.F32)
		} else {
			err = net.mm.addProduct(da, transB, true, k, m, nn, b.F32, dy)
		}
		if err != nil {
			return err
		}
	}
	if db := net.gradFor(s, 1); db != nil {
		if !transB {
			err = net.mm.addProduct(db, !transA, false, k, nn, m, a.F32, dy)
		} else {
			err = net.mm.addProduct(db, true, transA, nn, k, m, dy, a.F32)
		}
		if err != nil {
			return err
		}
	}
	if len(s.in) > 2 && s.in[2] >= 0 {
		dc := net.gradFor(s, 2)
		if dc == nil {
			return nil
		}
		c := net.vals[s.in[2]]
		st, ok := bcastStrides(c.Shape, y.Shape)
		if !ok {
			return n.Errorf("train: C %v does not broadcast to %v", c.Shape, y.Shape)
		}
		g := net.grads[s.out[0]]
		for i := 0; i < m; i++ {
			for j := 0; j < nn; j++ {
				dc[i*st[0]+j*st[1]] += beta * g[i*nn+j]
			}
		}
	}
	return nil
}

// matMulBackward is MatMul with a 2-D B: A [..., M, K] is taken as rows
// of K, so dA = dY·Bᵀ and dB = Aᵀ·dY.
func matMulBackward(net *Net, s *step) error {
	a, b, y := net.vals[s.in[0]], net.vals[s.in[1]], net.vals[s.out[0]]
	if b.Rank() != 2 || a.Rank() < 2 {
		return s.node.Errorf("train: MatMul backward wants A of rank >= 2 and a 2-D B (A %v, B %v)", a.Shape, b.Shape)
	}
	k, nn := b.Shape[0], b.Shape[1]
	if a.Shape[a.Rank()-1] != k {
		return s.node.Errorf("train: A %v does not fit B %v", a.Shape, b.Shape)
	}
	rows := len(a.F32) / max(1, k)
	if len(y.F32) != rows*nn || y.DType != tensor.Float32 {
		return s.node.Errorf("train: output %v does not fit A %v and B %v", y.Shape, a.Shape, b.Shape)
	}
	dy := net.grads[s.out[0]]
	if da := net.gradFor(s, 0); da != nil {
		if err := net.mm.addProduct(da, false, true, rows, k, nn, dy, b.F32); err != nil {
			return err
		}
	}
	if db := net.gradFor(s, 1); db != nil {
		if err := net.mm.addProduct(db, true, false, k, nn, rows, a.F32, dy); err != nil {
			return err
		}
	}
	return nil
}
