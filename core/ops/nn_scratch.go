package ops

// nnScratch is the work memory of the nn kernels, owned by a Ctx so that
// a steady-state run allocates nothing: sgemm's packing buffers and the
// im2col/col2im matrix. Separate from Ctx.Scratch because a kernel needs
// both at once.
type nnScratch struct {
	gemm sgemmWork
	col  []float32
}

// nnGemm returns the Ctx's sgemm work buffers (nil for a nil Ctx, which
// makes sgemm allocate its own).
func (c *Ctx) nnGemm() *sgemmWork {
	if c == nil {
		return nil
	}
	return &c.nn.gemm
}

// nnCol returns a work area of n floats for im2col/col2im, valid until
// the next nnCol call. Contents are unspecified.
func (c *Ctx) nnCol(n int) []float32 {
	if c == nil {
		return make([]float32, n)
	}
	if cap(c.nn.col) < n {
		c.nn.col = make([]float32, n)
	}
	return c.nn.col[:n]
}
