package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// nnColBudget bounds the im2col matrix (in floats, 16 MiB): a larger one
// is built and multiplied a band of output rows at a time. A variable so
// tests can force banding on small inputs.
var nnColBudget = 1 << 22

// convKernel is Conv (opsets 1, 11): Y[n, m] = B[m] + sum over c in m's group and kernel
// taps of W[m, c, taps] * X[n, c, taps applied to the output position].
// 1-D, 2-D and 3-D spatial inputs, groups (incl. depthwise), strides,
// dilations, pads and auto_pad.
//
// Paths: when each output channel reads one input channel (depthwise), a
// dot product per output over a zero-padded copy of the plane (nnDwRow),
// for the whole plane at once (nnFlatOK) or row by row (nnRowsOK), or a
// direct loop of axpys for 3-D and wide-stride windows; otherwise a GEMM of
// W by X's im2col matrix, which sgemm packs straight from X (convImB), or
// by X itself for 1x1 stride-1 unpadded kernels. A group with a single
// output channel builds the im2col matrix and takes sgemm's GEMV path.
func convKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 || len(in) > 3 {
		return nil, n.Errorf("has %d inputs, want 2 or 3", len(in))
	}
	if err := nnCheckAttrs(n, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"); err != nil {
		return nil, err
	}
	x, err := nnFloatInput(n, in, 0, "X", 3)
	if err != nil {
		return nil, err
	}
	w, err := nnFloatInput(n, in, 1, "W", 3)
	if err != nil {
		return nil, err
	}
	if w.Rank() != x.Rank() {
		return nil, n.Errorf("W has shape %v, want rank %d like X %v", w.Shape, x.Rank(), x.Shape)
	}
	group, err := n.AttrInt("group", 1)
	if err != nil {
		return nil, err
	}
	batch, chans, outChans := x.Shape[0], x.Shape[1], w.Shape[0]
	if group < 1 || int64(chans)%group != 0 || int64(outChans)%group != 0 {
		return nil, n.Errorf("group %d must be >= 1 and divide X's %d channels and W's %d output channels", group, chans, outChans)
	}
	g := int(group)
	cg, mg := chans/g, outChans/g
	if w.Shape[1] != cg {
		return nil, n.Errorf("W has shape %v: %d input channels per group, want %d (X has %d channels, group %d)",
			w.Shape, w.Shape[1], cg, chans, g)
	}
	var bias []float32
	if len(in) == 3 && in[2] != nil {
		b := in[2]
		if b.DType != tensor.Float32 || b.Rank() != 1 || b.Shape[0] != outChans {
			return nil, n.Errorf("B is %v, want float32[%d]", b, outChans)
		}
		bias = b.F32
	}
	win, err := nnWindowAttrs(n, x.Shape[2:], w.Shape[2:])
	if err != nil {
		return nil, err
	}
	if err := win.forwardOut(n, false); err != nil {
		return nil, err
	}
	y, err := c.NewFloat32(win.outShape(batch, outChans)...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	inVol, outVol, kvol := win.inVol(), win.outVol(), win.kvol()
	if outVol == 0 || outChans == 0 || batch == 0 {
		return []*tensor.Tensor{y}, nil
	}
	kdim := cg * kvol
	pointwise := kvol == 1 && win.padB == [3]int{} && win.padE == [3]int{} && win.stride == [3]int{1, 1, 1}
	if cg > 1 && mg > 1 {
		// GEMM straight from X: the bias is the starting value of C's
		// rows (zero without one: 0 + s, not s, to keep the sign of a zero
		// sum as the fill-then-accumulate order gives it).
		init := bias
		if init == nil {
			init = c.nnZeros(outChans)
		}
		var src sgemmB
		var mat *sgemmMat
		var im *convImB
		if c != nil {
			mat, im = &c.nn.mat, &c.nn.im
		} else {
			mat, im = &sgemmMat{}, &convImB{}
		}
		for b := 0; b < batch; b++ {
			for gi := 0; gi < g; gi++ {
				xg := x.F32[(b*chans+gi*cg)*inVol : (b*chans+(gi+1)*cg)*inVol]
				wg := w.F32[gi*mg*kdim : (gi+1)*mg*kdim]
				yg := y.F32[(b*outChans+gi*mg)*outVol : (b*outChans+(gi+1)*mg)*outVol]
				if pointwise {
					*mat = sgemmMat{b: xg, ldb: inVol}
					src = mat
				} else {
					dp, hp := win.in[0]+win.padB[0]+win.padE[0], win.in[1]+win.padB[1]+win.padE[1]
					wp := win.in[2] + win.padB[2] + win.padE[2]
					im.reset(xg, &win, cg, c.nnCol(cg*dp*hp*wp), c.nnInts(kdim))
					src = im
				}
				sgemmPacked(&sgemmBest, c.nnGemm(), false, mg, outVol, kdim, 1, wg, kdim, src, yg, outVol,
					false, init[gi*mg:(gi+1)*mg])
			}
		}
		*mat, *im = sgemmMat{}, convImB{}
		return []*tensor.Tensor{y}, nil
	}
	if cg == 1 && (nnFlatOK(&win) || nnRowsOK(&win)) {
		// Depthwise on a zero-padded copy of each input plane: each output
		// is bias + the sum of its taps (from 0, in tap order), over the
		// whole plane at once when the window allows (nnFlatOK: outputs at
		// the padded row pitch, the extra columns dropped), row by row
		// otherwise.
		hp, wp := win.in[1]+win.padB[1]+win.padE[1], win.in[2]+win.padB[2]+win.padE[2]
		// Flat computes out[2] of every wp outputs: at stride 2 half are
		// dropped, so rows are cheaper unless they are very short.
		flat := nnFlatOK(&win) && (win.stride[2] == 1 || win.out[2] < 8 || !nnRowsOK(&win))
		flatLen := 0
		if flat {
			flatLen = (win.out[1]-1)*wp + win.out[2]
		}
		buf := c.nnCol(hp*wp + flatLen)
		xp, acc := buf[:hp*wp], buf[hp*wp:]
		off := c.nnInts(kvol)
		for kh := 0; kh < win.k[1]; kh++ {
			for kw := 0; kw < win.k[2]; kw++ {
				off[kh*win.k[2]+kw] = kh*win.dil[1]*wp + kw*win.dil[2]
			}
		}
		var taps nnTaps
		taps.setTaps(off)
		ow, sh, sw := win.out[2], win.stride[1], win.stride[2]
		for b := 0; b < batch; b++ {
			for ci := 0; ci < chans; ci++ {
				nnPadPlane(xp, x.F32[(b*chans+ci)*inVol:(b*chans+ci+1)*inVol], &win)
				for m := ci * mg; m < (ci+1)*mg; m++ {
					var bv float32
					if bias != nil {
						bv = bias[m]
					}
					wk := w.F32[m*kvol : (m+1)*kvol]
					ym := y.F32[(b*outChans+m)*outVol : (b*outChans+m+1)*outVol]
					if flat {
						nnDwRow(acc, xp, sw, wk, taps, bv)
						for oh := 0; oh < win.out[1]; oh++ {
							copy(ym[oh*ow:(oh+1)*ow], acc[oh*wp:oh*wp+ow])
						}
						continue
					}
					for oh := 0; oh < win.out[1]; oh++ {
						nnDwRow(ym[oh*ow:(oh+1)*ow], xp[oh*sh*wp:], sw, wk, taps, bv)
					}
				}
			}
		}
		return []*tensor.Tensor{y}, nil
	}
	// Start from the bias (or zero): the remaining paths accumulate into Y.
	fillBias(y.F32, batch, outChans, outVol, bias)
	if cg == 1 {
		for b := 0; b < batch; b++ {
			for m := 0; m < outChans; m++ {
				ci := m / mg
				nnConvDirect(y.F32[(b*outChans+m)*outVol:(b*outChans+m+1)*outVol],
					x.F32[(b*chans+ci)*inVol:(b*chans+ci+1)*inVol], w.F32[m*kvol:(m+1)*kvol], &win)
			}
		}
		return []*tensor.Tensor{y}, nil
	}
	// One output channel per group: a GEMV per group (sgemm's m == 1
	// path, axpys over the rows of the im2col matrix).
	rowLen := win.out[2]
	rows := win.out[0] * win.out[1]
	band := max(1, min(rows, nnColBudget/max(1, kdim*rowLen)))
	var col []float32
	if !pointwise {
		col = c.nnCol(kdim * band * rowLen)
	}
	for b := 0; b < batch; b++ {
		for gi := 0; gi < g; gi++ {
			xg := x.F32[(b*chans+gi*cg)*inVol : (b*chans+(gi+1)*cg)*inVol]
			wg := w.F32[gi*mg*kdim : (gi+1)*mg*kdim]
			yg := y.F32[(b*outChans+gi*mg)*outVol : (b*outChans+(gi+1)*mg)*outVol]
			if pointwise {
				sgemm(c.nnGemm(), false, false, mg, outVol, cg, 1, wg, cg, xg, inVol, yg, outVol, true)
				continue
			}
			for r0 := 0; r0 < rows; r0 += band {
				r1 := min(rows, r0+band)
				ncols := (r1 - r0) * rowLen
				nnIm2col(col[:kdim*ncols], xg, cg, &win, r0, r1)
				sgemm(c.nnGemm(), false, false, mg, ncols, kdim, 1, wg, kdim, col, ncols, yg[r0*rowLen:], outVol, true)
			}
		}
	}
	return []*tensor.Tensor{y}, nil
}

// nnIm2col fills dst (cg*kvol rows of (r1-r0)*out[2] columns) with the
// input values under each kernel tap for output rows r0..r1 (a row is one
// (depth, height) pair of the lifted output), zero where the tap falls in
// the padding. x holds cg channels of in[0]*in[1]*in[2] values.
func nnIm2col(dst, x []float32, cg int, w *nnWindow, r0, r1 int) {
	ow := w.out[2]
	ncols := (r1 - r0) * ow
	inVol := w.inVol()
	row := 0
	for ch := 0; ch < cg; ch++ {
		xc := x[ch*inVol : (ch+1)*inVol]
		for kd := 0; kd < w.k[0]; kd++ {
			for kh := 0; kh < w.k[1]; kh++ {
				for kw := 0; kw < w.k[2]; kw++ {
					d := dst[row*ncols : (row+1)*ncols]
					row++
					offW := kw*w.dil[2] - w.padB[2]
					lo, hi := nnValidRange(ow, w.stride[2], offW, w.in[2])
					for r := r0; r < r1; r++ {
						dr := d[(r-r0)*ow : (r-r0+1)*ow]
						od, oh := r/w.out[1], r%w.out[1]
						id := od*w.stride[0] - w.padB[0] + kd*w.dil[0]
						ih := oh*w.stride[1] - w.padB[1] + kh*w.dil[1]
						if id < 0 || id >= w.in[0] || ih < 0 || ih >= w.in[1] || lo >= hi {
							clear(dr)
							continue
						}
						src := xc[(id*w.in[1]+ih)*w.in[2] : (id*w.in[1]+ih+1)*w.in[2]]
						clear(dr[:lo])
						clear(dr[hi:])
						if s := w.stride[2]; s == 1 {
							copy(dr[lo:hi], src[lo+offW:hi+offW])
						} else {
							for o := lo; o < hi; o++ {
								dr[o] = src[o*s+offW]
							}
						}
					}
				}
			}
		}
	}
}

// nnConvDirect adds to y (one output plane) the window sums of x (one
// input plane) weighted by wk (one kernel): the depthwise path.
func nnConvDirect(y, x, wk []float32, w *nnWindow) {
	ow := w.out[2]
	s := w.stride[2]
	// The valid output columns of each kernel column, computed once.
	var ranges [2 * 16]int
	kw := w.k[2]
	if kw <= 16 {
		for i := 0; i < kw; i++ {
			ranges[2*i], ranges[2*i+1] = nnValidRange(ow, s, i*w.dil[2]-w.padB[2], w.in[2])
		}
	}
	for od := 0; od < w.out[0]; od++ {
		for oh := 0; oh < w.out[1]; oh++ {
			yr := y[(od*w.out[1]+oh)*ow : (od*w.out[1]+oh+1)*ow]
			for kd := 0; kd < w.k[0]; kd++ {
				id := od*w.stride[0] - w.padB[0] + kd*w.dil[0]
				if id < 0 || id >= w.in[0] {
					continue
				}
				for kh := 0; kh < w.k[1]; kh++ {
					ih := oh*w.stride[1] - w.padB[1] + kh*w.dil[1]
					if ih < 0 || ih >= w.in[1] {
						continue
					}
					src := x[(id*w.in[1]+ih)*w.in[2] : (id*w.in[1]+ih+1)*w.in[2]]
					taps := wk[(kd*w.k[1]+kh)*kw : (kd*w.k[1]+kh+1)*kw]
					for i, wv := range taps {
						off := i*w.dil[2] - w.padB[2]
						var lo, hi int
						if kw <= 16 {
							lo, hi = ranges[2*i], ranges[2*i+1]
						} else {
							lo, hi = nnValidRange(ow, s, off, w.in[2])
						}
						if lo >= hi {
							continue
						}
						switch s {
						case 1:
							nnAxpy(yr[lo:hi], src[lo+off:hi+off], wv)
						case 2:
							nnAxpyStride2(yr[lo:hi], src[2*lo+off:], wv)
						default:
							for o := lo; o < hi; o++ {
								yr[o] += wv * src[o*s+off]
							}
						}
					}
				}
			}
		}
	}
}

// The flat depthwise path: the input plane is copied into a zero-padded
// buffer of row pitch wp, where the tap (kh, kw) of output (oh, ow) is at
// stride*(oh*wp + ow) + kh*dil_h*wp + kw*dil_w. Computing outputs at the
// same pitch makes every output one dot product at a fixed stride over the
// whole plane (the columns past out[2] in each row are computed and
// dropped).

// nnFlatOK reports whether the window suits the flat path: 1-D or 2-D,
// one stride for both axes (unless there is a single output row), stride
// 1 or 2 (which have vector loops).
func nnFlatOK(w *nnWindow) bool {
	if w.in[0] != 1 || w.k[0] != 1 || w.out[0] != 1 {
		return false
	}
	s := w.stride[2]
	return (s == 1 || s == 2) && (w.out[1] == 1 || w.stride[1] == s)
}

// nnRowsOK reports whether the window suits the row-by-row depthwise path
// on the padded plane: 1-D or 2-D, width stride 1 or 2, any height stride.
func nnRowsOK(w *nnWindow) bool {
	return w.in[0] == 1 && w.k[0] == 1 && w.out[0] == 1 && (w.stride[2] == 1 || w.stride[2] == 2)
}

// nnPadPlane copies the plane x (in[1] x in[2]) into the middle of buf
// (rows of pitch in[2]+padB+padE), zeroing the border.
func nnPadPlane(buf, x []float32, w *nnWindow) {
	wp := w.in[2] + w.padB[2] + w.padE[2]
	clear(buf[:w.padB[1]*wp])
	for ih := 0; ih < w.in[1]; ih++ {
		row := buf[(w.padB[1]+ih)*wp : (w.padB[1]+ih+1)*wp]
		clear(row[:w.padB[2]])
		copy(row[w.padB[2]:], x[ih*w.in[2]:(ih+1)*w.in[2]])
		clear(row[w.padB[2]+w.in[2]:])
	}
	clear(buf[(w.padB[1]+w.in[1])*wp:])
}

// convImB is the im2col matrix of one group of X as an sgemm operand:
// row p = (ch, kd, kh, kw) of cg*kvol, column q = an output position;
// B(p, q) is the input under tap p for output q, 0 in the padding. Its
// panels are packed straight from a zero-padded copy of X (xp), where
// tap p of output (od, oh, ow) is at base(od, oh, ow) + tap[p]: no bounds
// checks, one short copy per tap and run of columns.
type convImB struct {
	xp  []float32
	tap nnTaps
	w   *nnWindow
	// pitches of the padded volume: row, plane (depth*rows*cols)
	wp, hwp, vol int
}

// reset prepares the operand for the group x (cg channels of X), using
// buf for the padded copy and tap for the tap offsets.
func (s *convImB) reset(x []float32, w *nnWindow, cg int, buf []float32, tap []int) {
	s.w = w
	dp := w.in[0] + w.padB[0] + w.padE[0]
	hp := w.in[1] + w.padB[1] + w.padE[1]
	s.wp = w.in[2] + w.padB[2] + w.padE[2]
	s.hwp = hp * s.wp
	s.vol = dp * s.hwp
	s.xp = buf[:cg*s.vol]
	inVol := w.inVol()
	for ch := 0; ch < cg; ch++ {
		dst := s.xp[ch*s.vol : (ch+1)*s.vol]
		src := x[ch*inVol : (ch+1)*inVol]
		for d := 0; d < dp; d++ {
			id := d - w.padB[0]
			for h := 0; h < hp; h++ {
				row := dst[d*s.hwp+h*s.wp : d*s.hwp+(h+1)*s.wp]
				ih := h - w.padB[1]
				if id < 0 || id >= w.in[0] || ih < 0 || ih >= w.in[1] {
					clear(row)
					continue
				}
				clear(row[:w.padB[2]])
				copy(row[w.padB[2]:], src[(id*w.in[1]+ih)*w.in[2]:(id*w.in[1]+ih+1)*w.in[2]])
				clear(row[w.padB[2]+w.in[2]:])
			}
		}
	}
	tap = tap[:cg*w.kvol()]
	p := 0
	for ch := 0; ch < cg; ch++ {
		for kd := 0; kd < w.k[0]; kd++ {
			for kh := 0; kh < w.k[1]; kh++ {
				for kw := 0; kw < w.k[2]; kw++ {
					tap[p] = ch*s.vol + kd*w.dil[0]*s.hwp + kh*w.dil[1]*s.wp + kw*w.dil[2]
					p++
				}
			}
		}
	}
	s.tap.setTaps(tap)
}

func (s *convImB) packPanels(dst []float32, nr, pc, kc, j0, ncols int) {
	for q := 0; q*nr < ncols; q++ {
		s.packPanel(dst[q*nr*kc:(q+1)*nr*kc], nr, pc, kc, j0+q*nr, min(nr, ncols-q*nr))
	}
}

func (s *convImB) packPanel(panel []float32, nr, pc, kc, j0, nn int) {
	w := s.w
	ow, oh := w.out[2], w.out[1]
	taps := s.tap.sub(pc, pc+kc)
	tap := taps.off
	xp := s.xp
	s2 := w.stride[2]
	for j := 0; j < nn; {
		// A run of columns in one output row: output (od, oh, ow0..).
		q := j0 + j
		r, o := q/ow, q%ow
		cnt := min(nn-j, ow-o)
		base := r/oh*w.stride[0]*s.hwp + r%oh*w.stride[1]*s.wp + o*s2
		switch {
		case cnt == 16 && nr == 16 && s2 == 1:
			nnCopy16Taps(panel, xp, base, taps)
		case cnt == 16 && nr == 16 && s2 == 2:
			nnGather16x2Taps(panel, xp, base, taps)
		case s2 == 1:
			for i, t := range tap {
				copy(panel[i*nr+j:i*nr+j+cnt], xp[base+t:])
			}
		default:
			for i, t := range tap {
				d := panel[i*nr+j : i*nr+j+cnt]
				src := xp[base+t:]
				for c := range d {
					d[c] = src[c*s2]
				}
			}
		}
		j += cnt
	}
	if nn < nr {
		for i := range tap {
			clear(panel[i*nr+nn : i*nr+nr])
		}
	}
}

// fillBias sets every [outVol] plane of y (batch x outChans of them) to
// its channel's bias, or to zero when bias is nil.
func fillBias(y []float32, batch, outChans, outVol int, bias []float32) {
	for b := 0; b < batch; b++ {
		for m := 0; m < outChans; m++ {
			plane := y[(b*outChans+m)*outVol : (b*outChans+m+1)*outVol]
			var v float32
			if bias != nil {
				v = bias[m]
			}
			for i := range plane {
				plane[i] = v
			}
		}
	}
}
