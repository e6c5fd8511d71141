package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// Kernel computes one node.
type Kernel func(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error)

// Ctx is what a kernel may use besides its inputs: the model's opset, a
// buffer pool for outputs and a reusable scratch area. One Ctx serves one
// goroutine.
type Ctx struct {
	// Opset is the model's ai.onnx opset version (attribute rules differ by
	// version, e.g. Clip's min/max).
	Opset int64
	// Pool recycles float32 storage; nil means plain allocation.
	Pool    *tensor.Pool
	scratch []float32
	// nn holds the nn kernels' work buffers (sgemm packing, im2col).
	nn nnScratch
}

// NewFloat32 returns an uninitialised float32 output tensor of shape.
func (c *Ctx) NewFloat32(shape ...int) (*tensor.Tensor, error) {
	if c == nil {
		return (*tensor.Pool)(nil).GetFloat32(shape...)
	}
	return c.Pool.GetFloat32(shape...)
}

// Scratch returns a float32 work area of length n, valid until the next
// Scratch call. Contents are unspecified.
func (c *Ctx) Scratch(n int) []float32 {
	if cap(c.scratch) < n {
		c.scratch = make([]float32, n)
	}
	return c.scratch[:n]
}
