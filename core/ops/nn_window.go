package ops

import (
	"slices"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// nnMaxSpatial is the highest spatial rank the windowed ops (Conv,
// ConvTranspose, pools) accept. Lower ranks are lifted to three dims by
// prepending axes of size 1, so one loop nest serves 1-D, 2-D and 3-D.
const nnMaxSpatial = 3

// nnWindow is a sliding window over the spatial dims of an NC... tensor,
// lifted to three dims (depth, height, width): unused leading dims have
// size, kernel, stride and dilation 1 and no padding.
type nnWindow struct {
	rank       int // spatial rank as given (1..3)
	in, out    [3]int
	k          [3]int // kernel size
	stride     [3]int
	dil        [3]int
	padB, padE [3]int // padding before and after
	autoPad    string
}

// kvol is the number of kernel taps, outVol the number of output positions.
func (w *nnWindow) kvol() int   { return w.k[0] * w.k[1] * w.k[2] }
func (w *nnWindow) inVol() int  { return w.in[0] * w.in[1] * w.in[2] }
func (w *nnWindow) outVol() int { return w.out[0] * w.out[1] * w.out[2] }

// outShape returns prefix followed by the output's spatial dims.
func (w *nnWindow) outShape(prefix ...int) []int {
	return append(prefix, w.out[3-w.rank:]...)
}

// nnWindowAttrs reads kernel_shape, strides, dilations, pads and auto_pad.
// in is the input's spatial dims; kernel, if non-nil, is the kernel shape
// taken from the weights (kernel_shape, if set, must agree); otherwise
// kernel_shape is required. Output sizes are not computed here.
func nnWindowAttrs(n *graph.Node, in []int, kernel []int) (nnWindow, error) {
	var w nnWindow
	r := len(in)
	if r < 1 || r > nnMaxSpatial {
		return w, n.Errorf("input has %d spatial dims, want 1 to %d", r, nnMaxSpatial)
	}
	w.rank = r
	ks, err := n.AttrInts("kernel_shape", nil)
	if err != nil {
		return w, err
	}
	switch {
	case ks == nil && kernel == nil:
		return w, n.Errorf("kernel_shape is required")
	case ks != nil && len(ks) != r:
		return w, n.Errorf("kernel_shape has %d values, want %d", len(ks), r)
	case ks != nil && kernel != nil:
		for i := range ks {
			if ks[i] != int64(kernel[i]) {
				return w, n.Errorf("kernel_shape %v does not match the weights' spatial dims %v", ks, kernel)
			}
		}
	}
	strides, err := nnIntsAttr(n, "strides", r, 1, 1)
	if err != nil {
		return w, err
	}
	dil, err := nnIntsAttr(n, "dilations", r, 1, 1)
	if err != nil {
		return w, err
	}
	pads, err := nnIntsAttr(n, "pads", 2*r, 0, 0)
	if err != nil {
		return w, err
	}
	w.autoPad, err = n.AttrString("auto_pad", "NOTSET")
	if err != nil {
		return w, err
	}
	switch w.autoPad {
	case "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID":
	default:
		return w, n.Errorf("auto_pad %q is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", w.autoPad)
	}
	off := 3 - r
	for i := 0; i < 3; i++ {
		w.in[i], w.out[i], w.k[i], w.stride[i], w.dil[i] = 1, 1, 1, 1, 1
	}
	for i := 0; i < r; i++ {
		j := off + i
		w.in[j] = in[i]
		if kernel != nil {
			w.k[j] = kernel[i]
		} else {
			w.k[j] = int(ks[i])
		}
		if w.k[j] < 1 {
			return w, n.Errorf("kernel size %d on spatial axis %d, want >= 1", w.k[j], i)
		}
		w.stride[j], w.dil[j] = strides[i], dil[i]
		if w.autoPad == "NOTSET" {
			w.padB[j], w.padE[j] = pads[i], pads[r+i]
		}
	}
	return w, nil
}

// nnIntsAttr reads an ints attribute of exactly count values, each >= lo,
// defaulting to count copies of def.
func nnIntsAttr(n *graph.Node, name string, count int, def, lo int64) ([]int, error) {
	v, err := n.AttrInts(name, nil)
	if err != nil {
		return nil, err
	}
	out := make([]int, count)
	if v == nil {
		for i := range out {
			out[i] = int(def)
		}
		return out, nil
	}
	if len(v) != count {
		return nil, n.Errorf("%s has %d values, want %d", name, len(v), count)
	}
	for i, x := range v {
		if x < lo || x > 1<<30 {
			return nil, n.Errorf("%s[%d] = %d, want >= %d", name, i, x, lo)
		}
		out[i] = int(x)
	}
	return out, nil
}

// forwardOut computes the output sizes (and SAME pads) of a forward
// window (Conv, pools). With ceilMode the last window may start past the
// input's end as long as it starts inside the input or its begin padding
// (the rule of onnxruntime and PyTorch).
func (w *nnWindow) forwardOut(n *graph.Node, ceilMode bool) error {
	for j := 3 - w.rank; j < 3; j++ {
		ek := (w.k[j]-1)*w.dil[j] + 1
		s := w.stride[j]
		switch w.autoPad {
		case "SAME_UPPER", "SAME_LOWER":
			w.out[j] = (w.in[j] + s - 1) / s
			total := max(0, (w.out[j]-1)*s+ek-w.in[j])
			small := total / 2
			if w.autoPad == "SAME_UPPER" {
				w.padB[j], w.padE[j] = small, total-small
			} else {
				w.padB[j], w.padE[j] = total-small, small
			}
			continue
		case "VALID":
			w.padB[j], w.padE[j] = 0, 0
		}
		span := w.in[j] + w.padB[j] + w.padE[j] - ek
		if span < 0 {
			return n.Errorf("spatial axis %d: input size %d with pads %d+%d is smaller than the dilated kernel %d",
				j-(3-w.rank), w.in[j], w.padB[j], w.padE[j], ek)
		}
		if ceilMode && w.autoPad == "NOTSET" {
			w.out[j] = (span+s-1)/s + 1
			if (w.out[j]-1)*s >= w.in[j]+w.padB[j] {
				w.out[j]--
			}
		} else {
			w.out[j] = span/s + 1
		}
	}
	return nil
}

// nnValidRange returns [lo, hi): the outputs o < out for which the input
// index o*stride + offset lies in [0, in).
func nnValidRange(out, stride, offset, in int) (lo, hi int) {
	lo = 0
	if offset < 0 {
		lo = (-offset + stride - 1) / stride
	}
	hi = out
	if last := in - offset; last <= 0 {
		hi = 0
	} else if h := (last + stride - 1) / stride; h < hi {
		hi = h
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// nnFloatInput checks that input i is present and float32 of rank at
// least minRank, naming it in the error.
func nnFloatInput(n *graph.Node, in []*tensor.Tensor, i int, what string, minRank int) (*tensor.Tensor, error) {
	if i >= len(in) || in[i] == nil {
		return nil, n.Errorf("input %d (%s) is missing", i, what)
	}
	t := in[i]
	if t.DType != tensor.Float32 {
		return nil, n.Errorf("input %d (%s) is %v, want float32", i, what, t.DType)
	}
	if t.Rank() < minRank {
		return nil, n.Errorf("input %d (%s) has shape %v, want rank >= %d", i, what, t.Shape, minRank)
	}
	return t, nil
}

// nnCheckAttrs rejects attributes the op does not define (a misspelt or
// newer-opset attribute would otherwise be silently ignored).
func nnCheckAttrs(n *graph.Node, allowed ...string) error {
	for name := range n.Attrs {
		if !slices.Contains(allowed, name) {
			return n.Errorf("unknown attribute %q", name)
		}
	}
	return nil
}
