package ops

// nnScratch is the work memory of the nn kernels, owned by a Ctx so that
// a steady-state run allocates nothing: sgemm's packing buffers and the
// im2col/col2im matrix. Separate from Ctx.Scratch because a kernel needs
// both at once.
type nnScratch struct {
	gemm  sgemmWork
	col   []float32
	zeros []float32
	ints  []int
	mat   sgemmMat // Conv's GEMM operands, kept here so that passing
	im    convImB  // them as an sgemmB does not allocate
}

// nnZeros returns n zeros (read-only).
func (c *Ctx) nnZeros(n int) []float32 {
	if c == nil {
		return make([]float32, n)
	}
	if cap(c.nn.zeros) < n {
		c.nn.zeros = make([]float32, n)
	}
	return c.nn.zeros[:n]
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

// nnInts returns a work area of n ints, valid until the next nnInts call.
func (c *Ctx) nnInts(n int) []int {
	if c == nil {
		return make([]int, n)
	}
	if cap(c.nn.ints) < n {
		c.nn.ints = make([]int, n)
	}
	return c.nn.ints[:n]
}
