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
				depthwiseBackward(dxp, dwk, dy[(b*m+k)*outVol:(b*m+k+1)*outVol],
					x.F32[(b*chans+ci)*inVol:(b*chans+ci+1)*inVol], w.F32[k*kvol:(k+1)*kvol], win)
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
