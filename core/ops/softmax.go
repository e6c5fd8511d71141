package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// softmaxKernel is ONNX Softmax, float32: y = exp(x - max) / sum(exp(x -
// max)) over
//   - opset >= 13: the single axis `axis` (default -1);
//   - opset < 13: the input coerced to 2-D at `axis` (default 1): every
//     row [a_0*...*a_{axis-1}] of the trailing dims a_axis*...*a_{n-1}
//     together.
func softmaxKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return softmaxRun(c, n, in, false)
}

// softmaxRun computes Softmax or (log) LogSoftmax.
func softmaxRun(c *Ctx, n *graph.Node, in []*tensor.Tensor, log bool) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "axis"); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 1, 1)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if x.DType != tensor.Float32 {
		return nil, n.Errorf("input type %v is not supported", x.DType)
	}
	if err := mathCheckLen(n, "input", x); err != nil {
		return nil, err
	}
	legacy := mathOpset(c) < 13
	def := int64(-1)
	if legacy {
		def = 1
	}
	a, err := n.AttrInt("axis", def)
	if err != nil {
		return nil, err
	}
	r := x.Rank()
	if r == 0 { // a scalar is one row of one
		r = 1
	}
	axis, err := mathAxis(n, "axis", a, r)
	if err != nil {
		return nil, err
	}
	// View x as [outer, size, inner] and normalise over the middle.
	outer, size, inner := 1, 1, 1
	for i, d := range x.Shape {
		switch {
		case i < axis:
			outer *= d
		case i == axis || legacy:
			size *= d
		default:
			inner *= d
		}
	}
	out, err := mathNew(c, n, tensor.Float32, x.Shape)
	if err != nil {
		return nil, err
	}
	if len(out.F32) == 0 {
		return []*tensor.Tensor{out}, nil
	}
	if inner == 1 {
		for o := 0; o < outer; o++ {
			softmaxRow(out.F32[o*size:(o+1)*size], x.F32[o*size:(o+1)*size], log)
		}
		return []*tensor.Tensor{out}, nil
	}
	// Strided axis (e.g. channels of NCHW): work on whole [inner] planes
	// so memory is read in order; m and s hold the running max and sum.
	var m, s []float32
	if c != nil {
		buf := c.Scratch(2 * inner)
		m, s = buf[:inner], buf[inner:]
	} else {
		m, s = make([]float32, inner), make([]float32, inner)
	}
	for o := 0; o < outer; o++ {
		xo := x.F32[o*size*inner : (o+1)*size*inner]
		do := out.F32[o*size*inner : (o+1)*size*inner]
		copy(m, xo[:inner])
		for j := 1; j < size; j++ {
			for i, v := range xo[j*inner : (j+1)*inner] {
				if v > m[i] {
					m[i] = v
				}
			}
		}
		clear(s)
		for j := 0; j < size; j++ {
			xr, dr := xo[j*inner:(j+1)*inner], do[j*inner:(j+1)*inner]
			for i, v := range xr {
				e := float32(portableExp(float64(v - m[i])))
				s[i] += e
				if log {
					dr[i] = v - m[i]
				} else {
					dr[i] = e
				}
			}
		}
		for j := 0; j < size; j++ {
			dr := do[j*inner : (j+1)*inner]
			for i := range dr {
				if log {
					dr[i] -= float32(portableLog(float64(s[i])))
				} else {
					dr[i] /= s[i]
				}
			}
		}
	}
	return []*tensor.Tensor{out}, nil
}

// softmaxRow normalises one contiguous row (sum in float64).
func softmaxRow(d, x []float32, log bool) {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	var s float64
	for i, v := range x {
		e := portableExp(float64(v - m))
		s += e
		if !log {
			d[i] = float32(e)
		}
	}
	if log {
		ls := float32(portableLog(s))
		for i, v := range x {
			d[i] = v - m - ls
		}
		return
	}
	inv := 1 / s
	for i := range d {
		d[i] = float32(float64(d[i]) * inv)
	}
}
