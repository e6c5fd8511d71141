package train

import (
	"fixq/core/graph"
)

// window is the geometry of a 2-D sliding window (Conv, MaxPool,
// AveragePool) over an NCHW tensor, read from the node's attributes with
// the rules of core/ops (auto_pad, ceil_mode). The backward passes walk
// the same taps as the forward kernels.
type window struct {
	inH, inW, outH, outW int
	kH, kW               int
	sH, sW               int
	dH, dW               int
	padT, padL           int // begin padding
	padB, padR           int // end padding
}

// readWindow reads kernel_shape (or takes kernel from the weights),
// strides, dilations, pads, auto_pad and ceil_mode for a 4-D input of
// spatial size inH x inW and computes the output size.
func readWindow(n *graph.Node, inH, inW int, kernel []int, ceilOK bool) (window, error) {
	var w window
	w.inH, w.inW = inH, inW
	ks, err := n.AttrInts("kernel_shape", nil)
	if err != nil {
		return w, err
	}
	switch {
	case kernel != nil:
		if len(kernel) != 2 {
			return w, n.Errorf("train: kernel %v is not 2-D", kernel)
		}
		w.kH, w.kW = kernel[0], kernel[1]
	case len(ks) == 2:
		w.kH, w.kW = int(ks[0]), int(ks[1])
	default:
		return w, n.Errorf("train: kernel_shape %v is not 2-D", ks)
	}
	get := func(name string, count int, def int) ([]int, error) {
		v, err := n.AttrInts(name, nil)
		if err != nil {
			return nil, err
		}
		out := make([]int, count)
		if v == nil {
			for i := range out {
				out[i] = def
			}
			return out, nil
		}
		if len(v) != count {
			return nil, n.Errorf("train: %s has %d values, want %d", name, len(v), count)
		}
		for i, x := range v {
			if x < 0 || x > 1<<20 {
				return nil, n.Errorf("train: %s[%d] = %d is out of range", name, i, x)
			}
			out[i] = int(x)
		}
		return out, nil
	}
	s, err := get("strides", 2, 1)
	if err != nil {
		return w, err
	}
	d, err := get("dilations", 2, 1)
	if err != nil {
		return w, err
	}
	p, err := get("pads", 4, 0)
	if err != nil {
		return w, err
	}
	w.sH, w.sW, w.dH, w.dW = s[0], s[1], d[0], d[1]
	if w.sH < 1 || w.sW < 1 || w.dH < 1 || w.dW < 1 || w.kH < 1 || w.kW < 1 {
		return w, n.Errorf("train: kernel, strides and dilations must be >= 1")
	}
	ceil := int64(0)
	if ceilOK {
		if ceil, err = n.AttrInt("ceil_mode", 0); err != nil {
			return w, err
		}
	}
	autoPad, err := n.AttrString("auto_pad", "NOTSET")
	if err != nil {
		return w, err
	}
	axis := func(in, k, st, dil, pb, pe int) (out, b, e int, err error) {
		ek := (k-1)*dil + 1
		switch autoPad {
		case "SAME_UPPER", "SAME_LOWER":
			out = (in + st - 1) / st
			total := max(0, (out-1)*st+ek-in)
			small := total / 2
			if autoPad == "SAME_UPPER" {
				return out, small, total - small, nil
			}
			return out, total - small, small, nil
		case "VALID":
			pb, pe = 0, 0
		case "NOTSET":
		default:
			return 0, 0, 0, n.Errorf("train: auto_pad %q", autoPad)
		}
		span := in + pb + pe - ek
		if span < 0 {
			return 0, 0, 0, n.Errorf("train: input size %d with pads %d+%d is smaller than the kernel %d", in, pb, pe, ek)
		}
		if ceil == 1 && autoPad == "NOTSET" {
			out = (span+st-1)/st + 1
			if (out-1)*st >= in+pb {
				out--
			}
		} else {
			out = span/st + 1
		}
		return out, pb, pe, nil
	}
	if w.outH, w.padT, w.padB, err = axis(inH, w.kH, w.sH, w.dH, p[0], p[2]); err != nil {
		return w, err
	}
	if w.outW, w.padL, w.padR, err = axis(inW, w.kW, w.sW, w.dW, p[1], p[3]); err != nil {
		return w, err
	}
	return w, nil
}

// validRange returns [lo, hi): the outputs o < out whose input index
// o*stride + off lies in [0, in).
func validRange(out, stride, off, in int) (lo, hi int) {
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	hi = out
	if last := in - off; last <= 0 {
		hi = 0
	} else if h := (last + stride - 1) / stride; h < hi {
		hi = h
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}
