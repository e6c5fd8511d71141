package train

// concatBackward hands each input its slice of dY along the axis.
func concatBackward(net *Net, s *step) error {
	y := net.vals[s.out[0]]
	a, err := s.node.AttrInt("axis", 0)
	if err != nil {
		return err
	}
	r := y.Rank()
	axis := int(a)
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return s.node.Errorf("train: axis %d out of range for rank %d", a, r)
	}
	outer, inner := 1, 1
	for _, d := range y.Shape[:axis] {
		outer *= d
	}
	for _, d := range y.Shape[axis+1:] {
		inner *= d
	}
	total := y.Shape[axis] * inner
	dy := net.grads[s.out[0]]
	off := 0
	for j, i := range s.in {
		if i < 0 {
			continue
		}
		x := net.vals[i]
		if x.Rank() != r {
			return s.node.Errorf("train: input %d has rank %d, want %d", j, x.Rank(), r)
		}
		chunk := x.Shape[axis] * inner
		if dx := net.gradFor(s, j); dx != nil {
			for o := 0; o < outer; o++ {
				src := dy[o*total+off : o*total+off+chunk]
				dst := dx[o*chunk : (o+1)*chunk]
				for k, v := range src {
					dst[k] += v
				}
			}
		}
		off += chunk
	}
	if off != total {
		return s.node.Errorf("train: inputs give %d elements along axis %d, output has %d", off/max(1, inner), axis, y.Shape[axis])
	}
	return nil
}

// softmaxGeometry returns (outer, dim, inner) of a Softmax: a single axis
// from opset 13, the input coerced to 2-D at axis before.
func softmaxGeometry(net *Net, s *step, shape []int) (outer, dim, inner int, err error) {
	legacy := net.ctx.Opset < 13
	def := int64(-1)
	if legacy {
		def = 1
	}
	a, err := s.node.AttrInt("axis", def)
	if err != nil {
		return 0, 0, 0, err
	}
	r := len(shape)
	axis := int(a)
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= max(r, 1) {
		return 0, 0, 0, s.node.Errorf("train: axis %d out of range for rank %d", a, r)
	}
	outer, dim, inner = 1, 1, 1
	for i, d := range shape {
		switch {
		case i < axis:
			outer *= d
		case i == axis || legacy:
			dim *= d
		default:
			inner *= d
		}
	}
	return outer, dim, inner, nil
}

// softmaxBackward: dX = Y ⊙ (dY − Σ_axis dY·Y).
func softmaxBackward(net *Net, s *step) error {
	dx := net.gradFor(s, 0)
	if dx == nil {
		return nil
	}
	y := net.vals[s.out[0]]
	outer, dim, inner, err := softmaxGeometry(net, s, y.Shape)
	if err != nil {
		return err
	}
	dy := net.grads[s.out[0]]
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			base := o*dim*inner + in
			var dot float64
			for d := 0; d < dim; d++ {
				k := base + d*inner
				dot += float64(dy[k]) * float64(y.F32[k])
			}
			for d := 0; d < dim; d++ {
				k := base + d*inner
				dx[k] += float32(float64(y.F32[k]) * (float64(dy[k]) - dot))
			}
		}
	}
	return nil
}
