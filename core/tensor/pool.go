package tensor

// Pool recycles float32 backing arrays between the tensors of one graph
// execution, so a steady-state inference allocates nothing: the engine
// returns an intermediate's slice when its last consumer has run, and the
// next Get of a fitting size takes it back. Not safe for concurrent use.
type Pool struct {
	free [][]float32
}

// GetFloat32 returns a zeroed-or-not float32 tensor of shape; the contents
// are unspecified (kernels overwrite every element). Shape is validated.
func (p *Pool) GetFloat32(shape ...int) (*Tensor, error) {
	n, err := NumElements(shape)
	if err != nil {
		return nil, err
	}
	t := &Tensor{DType: Float32, Shape: append([]int(nil), shape...)}
	if p != nil {
		best := -1
		for i, b := range p.free {
			if cap(b) >= n && (best < 0 || cap(b) < cap(p.free[best])) {
				best = i
			}
		}
		// Take a buffer at most 4x too large, to keep memory bounded.
		if best >= 0 && cap(p.free[best]) <= 4*n+1024 {
			b := p.free[best]
			p.free[best] = p.free[len(p.free)-1]
			p.free = p.free[:len(p.free)-1]
			t.F32 = b[:n]
			return t, nil
		}
	}
	t.F32 = make([]float32, n)
	return t, nil
}

// Put gives t's float32 storage back. t must not be used afterwards.
func (p *Pool) Put(t *Tensor) {
	if p == nil || t == nil || t.DType != Float32 || cap(t.F32) == 0 {
		return
	}
	p.free = append(p.free, t.F32[:0])
	t.F32 = nil
}
