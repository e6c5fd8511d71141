package train

import (
	"fmt"

	"fixq/core/graph"
	"fixq/core/ops"
	"fixq/core/tensor"
)

// matMul multiplies through core/ops' public Gemm kernel (whose sgemm is
// the fast one), so the backward passes share the forward's GEMM. It
// reuses its tensor headers; each product's result comes from the Ctx's
// pool and goes back to it.
type matMul struct {
	ctx    *ops.Ctx
	gemm   ops.Kernel
	nodes  [4]*graph.Node // by transA*2 + transB
	a, b   tensor.Tensor
	sa, sb [2]int
	in     [2]*tensor.Tensor
}

func newMatMul(ctx *ops.Ctx) (*matMul, error) {
	k, ok := ops.Lookup("", "Gemm")
	if !ok {
		return nil, fmt.Errorf("train: core/ops has no Gemm kernel")
	}
	mm := &matMul{ctx: ctx, gemm: k}
	for i := range mm.nodes {
		n := &graph.Node{Name: "train_gemm", OpType: "Gemm"}
		n.SetAttr(&graph.Attr{Name: "transA", Type: graph.AttrInt, I: int64(i >> 1)})
		n.SetAttr(&graph.Attr{Name: "transB", Type: graph.AttrInt, I: int64(i & 1)})
		mm.nodes[i] = n
	}
	mm.a.DType, mm.b.DType = tensor.Float32, tensor.Float32
	return mm, nil
}

// addProduct adds A'·B' to c (m x n, row-major, dense): A' is m x k, stored
// as a (m x k, or k x m when transA); B' is k x n, stored as b (k x n, or
// n x k when transB).
func (mm *matMul) addProduct(c []float32, transA, transB bool, m, n, k int, a, b []float32) error {
	if m == 0 || n == 0 || k == 0 {
		return nil
	}
	mm.sa = [2]int{m, k}
	if transA {
		mm.sa = [2]int{k, m}
	}
	mm.sb = [2]int{k, n}
	if transB {
		mm.sb = [2]int{n, k}
	}
	mm.a.Shape, mm.a.F32 = mm.sa[:], a[:m*k]
	mm.b.Shape, mm.b.F32 = mm.sb[:], b[:k*n]
	mm.in[0], mm.in[1] = &mm.a, &mm.b
	idx := 0
	if transA {
		idx += 2
	}
	if transB {
		idx++
	}
	out, err := mm.gemm(mm.ctx, mm.nodes[idx], mm.in[:])
	if err != nil {
		return err
	}
	y := out[0]
	for i, v := range y.F32[:m*n] {
		c[i] += v
	}
	mm.ctx.Pool.Put(y)
	return nil
}
