package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// convTransposeKernel is ConvTranspose (opsets 1, 11), the gradient of
// Conv with respect to its input: every input value scatters W times
// itself into the output at position i*stride - pad_begin + k*dilation.
// 1-D to 3-D, groups, strides, dilations, pads, output_padding,
// output_shape and auto_pad. Computed as col = W_g^T * X_g by sgemm, then
// col2im scatter-adds col into Y.
//
// Output size per axis: stride*(in-1) + output_padding + (k-1)*dilation +
// 1 - pad_begin - pad_end. With output_shape (or auto_pad SAME_*, where
// the output is in*stride) the pads are derived from it: total = that
// sum minus the output size, split as in the ONNX reference: SAME_UPPER
// puts floor(total/2) first, otherwise the larger half goes first.
func convTransposeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 || len(in) > 3 {
		return nil, n.Errorf("has %d inputs, want 2 or 3", len(in))
	}
	if err := nnCheckAttrs(n, "auto_pad", "dilations", "group", "kernel_shape", "output_padding",
		"output_shape", "pads", "strides"); err != nil {
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
	batch, chans := x.Shape[0], x.Shape[1]
	if group < 1 || int64(chans)%group != 0 {
		return nil, n.Errorf("group %d must be >= 1 and divide X's %d channels", group, chans)
	}
	g := int(group)
	cg, mg := chans/g, w.Shape[1]
	if w.Shape[0] != chans {
		return nil, n.Errorf("W has shape %v: %d input channels, want %d like X", w.Shape, w.Shape[0], chans)
	}
	outChans := mg * g
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
	if err := nnTransposeOut(n, &win); err != nil {
		return nil, err
	}
	y, err := c.NewFloat32(win.outShape(batch, outChans)...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	inVol, outVol, kvol := win.inVol(), win.outVol(), win.kvol()
	fillBias(y.F32, batch, outChans, outVol, bias)
	if outVol == 0 || inVol == 0 || batch == 0 {
		return []*tensor.Tensor{y}, nil
	}
	mdim := mg * kvol
	rowLen := win.in[2]
	rows := win.in[0] * win.in[1]
	band := max(1, min(rows, nnColBudget/max(1, mdim*rowLen)))
	col := c.nnCol(mdim * band * rowLen)
	for b := 0; b < batch; b++ {
		for gi := 0; gi < g; gi++ {
			xg := x.F32[(b*chans+gi*cg)*inVol : (b*chans+(gi+1)*cg)*inVol]
			wg := w.F32[gi*cg*mdim : (gi+1)*cg*mdim]
			yg := y.F32[(b*outChans+gi*mg)*outVol : (b*outChans+(gi+1)*mg)*outVol]
			for r0 := 0; r0 < rows; r0 += band {
				r1 := min(rows, r0+band)
				ncols := (r1 - r0) * rowLen
				cb := col[:mdim*ncols]
				sgemm(c.nnGemm(), true, false, mdim, ncols, cg, 1, wg, mdim, xg[r0*rowLen:], inVol, cb, ncols, false)
				nnCol2im(yg, cb, mg, &win, r0, r1)
			}
		}
	}
	return []*tensor.Tensor{y}, nil
}

// nnTransposeOut computes ConvTranspose's output size and pads into w
// (whose in, k, stride, dil and explicit pads are set).
func nnTransposeOut(n *graph.Node, w *nnWindow) error {
	r, off := w.rank, 3-w.rank
	outPad, err := nnIntsAttr(n, "output_padding", r, 0, 0)
	if err != nil {
		return err
	}
	outShape, err := n.AttrInts("output_shape", nil)
	if err != nil {
		return err
	}
	if outShape != nil {
		// Some exporters give N and C too; only the spatial dims count.
		if len(outShape) == r+2 {
			outShape = outShape[2:]
		}
		if len(outShape) != r {
			return n.Errorf("output_shape has %d values, want %d", len(outShape), r)
		}
	}
	for i := 0; i < r; i++ {
		j := off + i
		full := w.stride[j]*(w.in[j]-1) + outPad[i] + (w.k[j]-1)*w.dil[j] + 1
		out := -1
		switch {
		case outShape != nil:
			if outShape[i] < 1 || outShape[i] > 1<<30 {
				return n.Errorf("output_shape[%d] = %d, want >= 1", i, outShape[i])
			}
			out = int(outShape[i])
		case w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER":
			out = w.in[j] * w.stride[j]
		case w.autoPad == "VALID":
			w.padB[j], w.padE[j] = 0, 0
		}
		if out >= 0 {
			total := full - out
			half := nnFloorDiv(total, 2)
			if w.autoPad == "SAME_UPPER" {
				w.padB[j], w.padE[j] = half, total-half
			} else {
				w.padB[j], w.padE[j] = total-half, half
			}
		}
		w.out[j] = full - w.padB[j] - w.padE[j]
		if w.out[j] < 1 {
			return n.Errorf("spatial axis %d: output size %d (pads %d+%d), want >= 1", i, w.out[j], w.padB[j], w.padE[j])
		}
	}
	return nil
}

func nnFloorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// nnCol2im scatter-adds col (mg*kvol rows of (r1-r0)*in[2] columns, one
// per input position of input rows r0..r1) into y (mg output planes):
// the value for input position i and tap k lands at i*stride - padB +
// k*dil when that is inside the output.
func nnCol2im(y, col []float32, mg int, w *nnWindow, r0, r1 int) {
	iw := w.in[2]
	ncols := (r1 - r0) * iw
	outVol := w.outVol()
	s := w.stride[2]
	row := 0
	for m := 0; m < mg; m++ {
		ym := y[m*outVol : (m+1)*outVol]
		for kd := 0; kd < w.k[0]; kd++ {
			for kh := 0; kh < w.k[1]; kh++ {
				for kw := 0; kw < w.k[2]; kw++ {
					cr := col[row*ncols : (row+1)*ncols]
					row++
					off := kw*w.dil[2] - w.padB[2]
					lo, hi := nnValidRange(iw, s, off, w.out[2])
					if lo >= hi {
						continue
					}
					for r := r0; r < r1; r++ {
						id, ih := r/w.in[1], r%w.in[1]
						od := id*w.stride[0] - w.padB[0] + kd*w.dil[0]
						oh := ih*w.stride[1] - w.padB[1] + kh*w.dil[1]
						if od < 0 || od >= w.out[0] || oh < 0 || oh >= w.out[1] {
							continue
						}
						dst := ym[(od*w.out[1]+oh)*w.out[2] : (od*w.out[1]+oh+1)*w.out[2]]
						src := cr[(r-r0)*iw : (r-r0+1)*iw]
						if s == 1 {
							nnAxpy(dst[lo+off:hi+off], src[lo:hi], 1)
							continue
						}
						for i := lo; i < hi; i++ {
							dst[i*s+off] += src[i]
						}
					}
				}
			}
		}
	}
}
