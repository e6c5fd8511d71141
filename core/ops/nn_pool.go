package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// The pooling ops (MaxPool, AveragePool) share window parsing and the
// loop nest; the window is lifted to three spatial dims (see nnWindow).

// nnPoolWindow checks X and reads the pooling window attributes common to
// MaxPool and AveragePool (kernel_shape, strides, dilations, pads,
// auto_pad, ceil_mode) and computes the output size.
func nnPoolWindow(n *graph.Node, in []*tensor.Tensor) (*tensor.Tensor, nnWindow, error) {
	if len(in) != 1 {
		return nil, nnWindow{}, n.Errorf("has %d inputs, want 1", len(in))
	}
	x, err := nnFloatInput(n, in, 0, "X", 3)
	if err != nil {
		return nil, nnWindow{}, err
	}
	w, err := nnWindowAttrs(n, x.Shape[2:], nil)
	if err != nil {
		return nil, w, err
	}
	ceil, err := n.AttrInt("ceil_mode", 0)
	if err != nil {
		return nil, w, err
	}
	if ceil != 0 && ceil != 1 {
		return nil, w, n.Errorf("ceil_mode = %d, want 0 or 1", ceil)
	}
	for j := 3 - w.rank; j < 3; j++ {
		if w.padB[j] >= (w.k[j]-1)*w.dil[j]+1 || w.padE[j] >= (w.k[j]-1)*w.dil[j]+1 {
			return nil, w, n.Errorf("pads %d+%d on spatial axis %d, want each smaller than the (dilated) kernel %d",
				w.padB[j], w.padE[j], j-(3-w.rank), (w.k[j]-1)*w.dil[j]+1)
		}
	}
	if err := w.forwardOut(n, ceil == 1); err != nil {
		return nil, w, err
	}
	return x, w, nil
}

// nnPoolPlanes runs the window over each (n, c) plane of x into y: the
// maximum (max) or the sum (otherwise) of the taps inside the input.
func nnPoolPlanes(y, x []float32, planes int, w *nnWindow, max bool) {
	inVol, outVol := w.inVol(), w.outVol()
	ow, s := w.out[2], w.stride[2]
	init := float32(0)
	if max {
		init = -math.MaxFloat32 // onnxruntime's start value (lowest float)
	}
	for p := 0; p < planes; p++ {
		xp := x[p*inVol : (p+1)*inVol]
		yp := y[p*outVol : (p+1)*outVol]
		for i := range yp {
			yp[i] = init
		}
		for od := 0; od < w.out[0]; od++ {
			for oh := 0; oh < w.out[1]; oh++ {
				yr := yp[(od*w.out[1]+oh)*ow : (od*w.out[1]+oh+1)*ow]
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
						src := xp[(id*w.in[1]+ih)*w.in[2] : (id*w.in[1]+ih+1)*w.in[2]]
						for kw := 0; kw < w.k[2]; kw++ {
							off := kw*w.dil[2] - w.padB[2]
							lo, hi := nnValidRange(ow, s, off, w.in[2])
							if lo >= hi {
								continue
							}
							if max {
								nnMaxRow(yr[lo:hi], src[lo*s+off:], s)
							} else {
								nnSumRow(yr[lo:hi], src[lo*s+off:], s)
							}
						}
					}
				}
			}
		}
	}
}

// nnPoolCounts fills cnt (out[0]+out[1]+out[2] values) with, per axis and
// output index, the number of taps counted by AveragePool's divisor: taps
// inside the input, or with includePad inside the padded input.
func nnPoolCounts(cnt []float32, w *nnWindow, includePad bool) {
	i := 0
	for j := 0; j < 3; j++ {
		lo, hi := 0, w.in[j]
		if includePad {
			lo, hi = -w.padB[j], w.in[j]+w.padE[j]
		}
		for o := 0; o < w.out[j]; o++ {
			c := 0
			for k := 0; k < w.k[j]; k++ {
				if pos := o*w.stride[j] - w.padB[j] + k*w.dil[j]; pos >= lo && pos < hi {
					c++
				}
			}
			cnt[i] = float32(c)
			i++
		}
	}
}
