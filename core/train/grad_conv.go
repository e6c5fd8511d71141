package train

import (
	"fixq/core/tensor"
)

// colBudget bounds the im2col matrix of the Conv backward pass (floats);
// larger ones are processed a band of output rows at a time. A variable
// so tests can force banding.
var colBudget = 1 << 22

// convBackward is Conv (2-D, any group count, strides, pads, dilations):
//
//	dB[m]          += Σ_n,o dY[n,m,o]
//	dW[m,c,kh,kw]  += Σ_n,o dY[n,m,o] · X[n, g·cg+c, tap(o,kh,kw)]
//	dX[n,c,tap]    += Σ_m,kh,kw dY[n,m,o] · W[m,c,kh,kw]
//
// Depthwise convolutions (one input channel per group) use direct loops;
// the others an im2col matrix and two GEMMs per (sample, group, band):
// dW_g += dY_g·colᵀ and dcol = W_gᵀ·dY_g, scattered back (col2im).
func convBackward(net *Net, s *step) error {
	x, w, y := net.vals[s.in[0]], net.vals[s.in[1]], net.vals[s.out[0]]
	if x.Rank() != 4 || w.Rank() != 4 {
		return s.node.Errorf("train: backward supports 2-D convolutions only (X %v, W %v)", x.Shape, w.Shape)
	}
	dy := net.grads[s.out[0]]
	dx, dw := net.gradFor(s, 0), net.gradFor(s, 1)
	var db []float32
	if len(s.in) > 2 && s.in[2] >= 0 {
		db = net.gradFor(s, 2)
	}
	batch, chans, m := x.Shape[0], x.Shape[1], w.Shape[0]
	cg := w.Shape[1]
	if cg == 0 || chans%cg != 0 {
		return s.node.Errorf("train: W %v does not fit X %v", w.Shape, x.Shape)
	}
	g := chans / cg
	mg := m / g
	key := [4]int{x.Shape[2], x.Shape[3], w.Shape[2], w.Shape[3]}
	if s.winKey != key || s.win.kH == 0 {
		win, err := readWindow(s.node, x.Shape[2], x.Shape[3], w.Shape[2:], false)
		if err != nil {
			return err
		}
		s.win, s.winKey = win, key
	}
	win := &s.win
	if !tensor.SameShape(y.Shape, []int{batch, m, win.outH, win.outW}) {
		return s.node.Errorf("train: output %v does not match the window (%dx%d)", y.Shape, win.outH, win.outW)
	}
	outVol, inVol := win.outH*win.outW, x.Shape[2]*x.Shape[3]
	if db != nil {
		for b := 0; b < batch; b++ {
			for k := 0; k < m; k++ {
				var sum float32
				for _, v := range dy[(b*m+k)*outVol : (b*m+k+1)*outVol] {
					sum += v
				}
				db[k] += sum
			}
		}
	}
	if dx == nil && dw == nil {
		return nil
	}
	kvol := win.kH * win.kW
	if cg == 1 {
		flat := win.sH == win.sW || win.outH == 1
		for b := 0; b < batch; b++ {
			for k := 0; k < m; k++ {
				ci := k / mg
				var dxp, dwk []float32
				if dx != nil {
					dxp = dx[(b*chans+ci)*inVol : (b*chans+ci+1)*inVol]
				}
				if dw != nil {
					dwk = dw[k*kvol : (k+1)*kvol]
				}
				xp := x.F32[(b*chans+ci)*inVol : (b*chans+ci+1)*inVol]
				dyp := dy[(b*m+k)*outVol : (b*m+k+1)*outVol]
				if flat {
					net.depthwiseFlat(dxp, dwk, dyp, xp, w.F32[k*kvol:(k+1)*kvol], win, k%mg == 0)
				} else {
					depthwiseBackward(dxp, dwk, dyp, xp, w.F32[k*kvol:(k+1)*kvol], win)
				}
			}
		}
		return nil
	}
	kdim := cg * kvol
	rowLen := win.outW
	band := max(1, min(win.outH, colBudget/max(1, kdim*rowLen)))
	col := net.scratch(&net.colBuf, kdim*band*rowLen)
	var dyb []float32
	if band < win.outH {
		dyb = net.scratch(&net.dyBuf, mg*band*rowLen)
	}
	for b := 0; b < batch; b++ {
		for gi := 0; gi < g; gi++ {
			xg := x.F32[(b*chans+gi*cg)*inVol : (b*chans+(gi+1)*cg)*inVol]
			wg := w.F32[gi*mg*kdim : (gi+1)*mg*kdim]
			dyg := dy[(b*m+gi*mg)*outVol : (b*m+(gi+1)*mg)*outVol]
			for r0 := 0; r0 < win.outH; r0 += band {
				r1 := min(win.outH, r0+band)
				ncols := (r1 - r0) * rowLen
				d := dyg
				if dyb != nil {
					d = dyb[:mg*ncols]
					for k := 0; k < mg; k++ {
						copy(d[k*ncols:(k+1)*ncols], dyg[k*outVol+r0*rowLen:k*outVol+r1*rowLen])
					}
				}
				c := col[:kdim*ncols]
				if dw != nil {
					im2col(c, xg, cg, win, r0, r1)
					if err := net.mm.addProduct(dw[gi*mg*kdim:(gi+1)*mg*kdim], false, true, mg, kdim, ncols, d, c); err != nil {
						return err
					}
				}
				if dx != nil {
					clear(c)
					if err := net.mm.addProduct(c, true, false, kdim, ncols, mg, wg, d); err != nil {
						return err
					}
					col2im(dx[(b*chans+gi*cg)*inVol:(b*chans+(gi+1)*cg)*inVol], c, cg, win, r0, r1)
				}
			}
		}
	}
	return nil
}

// scratch returns a reusable buffer of n floats held in *buf.
func (net *Net) scratch(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// depthwiseBackward handles one (sample, output channel) plane of a conv
// whose output channel reads a single input channel: dx (may be nil) and
// dw (may be nil) accumulate; dy, x and wk are the plane's output
// gradient, input and kernel.
func depthwiseBackward(dx, dw, dy, x, wk []float32, w *window) {
	ow := w.outW
	for kh := 0; kh < w.kH; kh++ {
		for kw := 0; kw < w.kW; kw++ {
			off := kw*w.dW - w.padL
			lo, hi := validRange(ow, w.sW, off, w.inW)
			if lo >= hi {
				continue
			}
			wv := wk[kh*w.kW+kw]
			var acc float32
			for oh := 0; oh < w.outH; oh++ {
				ih := oh*w.sH - w.padT + kh*w.dH
				if ih < 0 || ih >= w.inH {
					continue
				}
				dr := dy[oh*ow : (oh+1)*ow]
				xr := x[ih*w.inW : (ih+1)*w.inW]
				if w.sW == 1 {
					dseg, xseg := dr[lo:hi], xr[lo+off:hi+off]
					if dw != nil {
						for i, g := range dseg {
							acc += g * xseg[i]
						}
					}
					if dx != nil {
						xd := dx[ih*w.inW+lo+off : ih*w.inW+hi+off]
						for i, g := range dseg {
							xd[i] += g * wv
						}
					}
					continue
				}
				for o := lo; o < hi; o++ {
					ix := o*w.sW + off
					if dw != nil {
						acc += dr[o] * xr[ix]
					}
					if dx != nil {
						dx[ih*w.inW+ix] += dr[o] * wv
					}
				}
			}
			if dw != nil {
				dw[kh*w.kW+kw] += acc
			}
		}
	}
}

// depthwiseFlat is depthwiseBackward on a zero-padded copy of the input
// plane (row pitch wp) with dY laid out at the same pitch (zeros in the
// extra columns), where tap (kh, kw) of flat output j reads padded input
// s·j + kh·dH·wp + kw·dW: every tap is one long strided dot product (dW)
// and one long axpy (dX, into a padded gradient cropped at the end).
// Needs equal strides (or one output row). newPlane says x differs from
// the previous call's (the padded copy is reused otherwise).
func (net *Net) depthwiseFlat(dx, dw, dy, x, wk []float32, w *window, newPlane bool) {
	s := w.sW
	wp := w.inW + w.padL + w.padR
	hp := w.inH + w.padT + w.padB
	n := (w.outH-1)*wp + w.outW
	reach := s*(n-1) + (w.kH-1)*w.dH*wp + (w.kW-1)*w.dW + 1
	size := max(hp*wp, reach)
	xpad := net.scratch(&net.padBuf, size)
	if newPlane {
		clear(xpad)
		for ih := 0; ih < w.inH; ih++ {
			copy(xpad[(w.padT+ih)*wp+w.padL:], x[ih*w.inW:(ih+1)*w.inW])
		}
	}
	dyp := net.scratch(&net.dyPitch, n)
	clear(dyp)
	for oh := 0; oh < w.outH; oh++ {
		copy(dyp[oh*wp:oh*wp+w.outW], dy[oh*w.outW:(oh+1)*w.outW])
	}
	var dxpad []float32
	if dx != nil {
		dxpad = net.scratch(&net.dxPad, size)
		clear(dxpad)
	}
	for kh := 0; kh < w.kH; kh++ {
		for kw := 0; kw < w.kW; kw++ {
			off := kh*w.dH*wp + kw*w.dW
			tap := kh*w.kW + kw
			if dw != nil {
				dw[tap] += dotStrided(dyp, xpad[off:], s)
			}
			if dx != nil {
				axpyStrided(dxpad[off:], dyp, wk[tap], s)
			}
		}
	}
	if dx != nil {
		for ih := 0; ih < w.inH; ih++ {
			row := dxpad[(w.padT+ih)*wp+w.padL : (w.padT+ih)*wp+w.padL+w.inW]
			d := dx[ih*w.inW : (ih+1)*w.inW]
			for i, v := range row {
				d[i] += v
			}
		}
	}
}

// dotStrided is Σ a[j]·b[s·j] over j < len(a).
func dotStrided(a, b []float32, s int) float32 {
	var s0, s1, s2, s3 float32
	n := len(a)
	if s == 1 {
		b = b[:n]
		j := 0
		for ; j+4 <= n; j += 4 {
			s0 += a[j] * b[j]
			s1 += a[j+1] * b[j+1]
			s2 += a[j+2] * b[j+2]
			s3 += a[j+3] * b[j+3]
		}
		for ; j < n; j++ {
			s0 += a[j] * b[j]
		}
		return (s0 + s1) + (s2 + s3)
	}
	_ = b[s*(n-1)]
	for j, v := range a {
		s0 += v * b[s*j]
	}
	return s0
}

// axpyStrided does d[s·j] += alpha·a[j] for j < len(a).
func axpyStrided(d, a []float32, alpha float32, s int) {
	n := len(a)
	if s == 1 {
		d = d[:n]
		j := 0
		for ; j+4 <= n; j += 4 {
			d[j] += alpha * a[j]
			d[j+1] += alpha * a[j+1]
			d[j+2] += alpha * a[j+2]
			d[j+3] += alpha * a[j+3]
		}
		for ; j < n; j++ {
			d[j] += alpha * a[j]
		}
		return
	}
	_ = d[s*(n-1)]
	for j, v := range a {
		d[s*j] += alpha * v
	}
}

// im2col fills dst (cg·kH·kW rows of (r1-r0)·outW columns) with the input
// under each tap for output rows r0..r1, zero in the padding.
func im2col(dst, x []float32, cg int, w *window, r0, r1 int) {
	ow := w.outW
	ncols := (r1 - r0) * ow
	inVol := w.inH * w.inW
	row := 0
	for ch := 0; ch < cg; ch++ {
		xc := x[ch*inVol : (ch+1)*inVol]
		for kh := 0; kh < w.kH; kh++ {
			for kw := 0; kw < w.kW; kw++ {
				d := dst[row*ncols : (row+1)*ncols]
				row++
				off := kw*w.dW - w.padL
				lo, hi := validRange(ow, w.sW, off, w.inW)
				for r := r0; r < r1; r++ {
					dr := d[(r-r0)*ow : (r-r0+1)*ow]
					ih := r*w.sH - w.padT + kh*w.dH
					if ih < 0 || ih >= w.inH || lo >= hi {
						clear(dr)
						continue
					}
					src := xc[ih*w.inW : (ih+1)*w.inW]
					clear(dr[:lo])
					clear(dr[hi:])
					if w.sW == 1 {
						copy(dr[lo:hi], src[lo+off:hi+off])
					} else {
						for o := lo; o < hi; o++ {
							dr[o] = src[o*w.sW+off]
						}
					}
				}
			}
		}
	}
}

// col2im adds the columns of col (laid out as im2col's) back to the input
// positions they were read from.
func col2im(dx, col []float32, cg int, w *window, r0, r1 int) {
	ow := w.outW
	ncols := (r1 - r0) * ow
	inVol := w.inH * w.inW
	row := 0
	for ch := 0; ch < cg; ch++ {
		xc := dx[ch*inVol : (ch+1)*inVol]
		for kh := 0; kh < w.kH; kh++ {
			for kw := 0; kw < w.kW; kw++ {
				c := col[row*ncols : (row+1)*ncols]
				row++
				off := kw*w.dW - w.padL
				lo, hi := validRange(ow, w.sW, off, w.inW)
				if lo >= hi {
					continue
				}
				for r := r0; r < r1; r++ {
					ih := r*w.sH - w.padT + kh*w.dH
					if ih < 0 || ih >= w.inH {
						continue
					}
					cr := c[(r-r0)*ow : (r-r0+1)*ow]
					dr := xc[ih*w.inW : (ih+1)*w.inW]
					if w.sW == 1 {
						seg := dr[lo+off : hi+off]
						for i, v := range cr[lo:hi] {
							seg[i] += v
						}
					} else {
						for o := lo; o < hi; o++ {
							dr[o*w.sW+off] += cr[o]
						}
					}
				}
			}
		}
	}
}
