package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// resizeKernel implements Resize (opsets 10 to 19).
//
// Opset 10 takes (X, scales) and behaves like Upsample: asymmetric
// coordinates, nearest rounds down when enlarging and up when shrinking.
// From opset 11 the inputs are (X, roi, scales, sizes) with exactly one of
// scales and sizes non-empty; coordinate_transformation_mode maps output
// coordinate x to input coordinate x_orig:
//
//	half_pixel            (x+0.5)/scale - 0.5
//	half_pixel_symmetric  (opset 19) half_pixel shifted to keep the centre
//	pytorch_half_pixel    as half_pixel, but 0 when the output length is 1
//	align_corners         x*(len_in-1)/(len_out-1), 0 when len_out is 1
//	asymmetric            x/scale
//	tf_half_pixel_for_nn  (x+0.5)/scale
//	tf_crop_and_resize    roi_start*(len_in-1) + x*(roi_end-roi_start)*(len_in-1)/(len_out-1);
//	                      outside [0, len_in-1] the output is extrapolation_value
//
// where len_out is in*scale (not rounded) when scales are given, as in
// ONNX's reference implementation. mode nearest (any dtype) picks
// round_prefer_floor (default), round_prefer_ceil, floor or ceil of x_orig;
// linear (float32) interpolates between floor(x_orig) and the next index
// along every axis; cubic (float32) uses the 4-tap Keys kernel with
// cubic_coeff_a and optional exclude_outside. Indices past the border are
// clamped. Opset 18's axes and keep_aspect_ratio_policy are supported;
// antialias=1 is refused.
func resizeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	opset := shapeOpset(c)
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	p := resizeParams{coord: "asymmetric", nearest: "simple", cubicA: -0.75}
	if p.mode, err = n.AttrString("mode", "nearest"); err != nil {
		return nil, err
	}
	if opset < 11 {
		if err := shapeCheckAttrs(n, "mode"); err != nil {
			return nil, err
		}
		scales, err := resizeFloats(n, in, 1, "scales")
		if err != nil {
			return nil, err
		}
		if scales == nil {
			return nil, n.Errorf("input 1 (scales) is missing")
		}
		if p.mode == "cubic" {
			return nil, n.Errorf("mode cubic needs opset 11")
		}
		return resizeRun(c, n, x, &p, scales, nil, nil)
	}
	if err := shapeCheckAttrs(n, "mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
		"exclude_outside", "extrapolation_value", "antialias", "axes", "keep_aspect_ratio_policy"); err != nil {
		return nil, err
	}
	if p.coord, err = n.AttrString("coordinate_transformation_mode", "half_pixel"); err != nil {
		return nil, err
	}
	if p.nearest, err = n.AttrString("nearest_mode", "round_prefer_floor"); err != nil {
		return nil, err
	}
	a, err := n.AttrFloat("cubic_coeff_a", -0.75)
	if err != nil {
		return nil, err
	}
	p.cubicA = float64(a)
	excl, err := n.AttrInt("exclude_outside", 0)
	if err != nil {
		return nil, err
	}
	p.excludeOutside = excl != 0
	if p.extrapolation, err = n.AttrFloat("extrapolation_value", 0); err != nil {
		return nil, err
	}
	if anti, err := n.AttrInt("antialias", 0); err != nil {
		return nil, err
	} else if anti != 0 {
		return nil, n.Errorf("antialias=1 is not supported")
	}
	policy, err := n.AttrString("keep_aspect_ratio_policy", "stretch")
	if err != nil {
		return nil, err
	}
	if (n.Has("axes") || n.Has("keep_aspect_ratio_policy") || n.Has("antialias")) && opset < 18 {
		return nil, n.Errorf("attributes axes, keep_aspect_ratio_policy and antialias need opset 18, model has %d", opset)
	}
	if p.coord == "half_pixel_symmetric" && opset < 19 {
		return nil, n.Errorf("coordinate_transformation_mode half_pixel_symmetric needs opset 19, model has %d", opset)
	}
	rank := x.Rank()
	axes := make([]int, rank)
	for d := range axes {
		axes[d] = d
	}
	if n.Has("axes") {
		av, err := n.AttrInts("axes", nil)
		if err != nil {
			return nil, err
		}
		seen := make([]bool, rank)
		axes = axes[:0]
		for _, v := range av {
			d, err := shapeAxis(n, "axis", v, rank, false)
			if err != nil {
				return nil, err
			}
			if seen[d] {
				return nil, n.Errorf("axis %d is listed twice in axes %v", d, av)
			}
			seen[d] = true
			axes = append(axes, d)
		}
	}
	roi, err := resizeFloats(n, in, 1, "roi")
	if err != nil {
		return nil, err
	}
	scales, err := resizeFloats(n, in, 2, "scales")
	if err != nil {
		return nil, err
	}
	sizes, haveSizes, err := shapeInts(n, in, 3, "sizes")
	if err != nil {
		return nil, err
	}
	if len(sizes) == 0 {
		haveSizes = false
	}
	if (scales != nil) == haveSizes {
		return nil, n.Errorf("exactly one of scales and sizes must be given")
	}
	// Expand axes-relative values to full rank.
	var fullScales []float64
	var fullSizes []int
	if scales != nil {
		if len(scales) != len(axes) {
			return nil, n.Errorf("scales has %d values, want %d", len(scales), len(axes))
		}
		fullScales = make([]float64, rank)
		for d := range fullScales {
			fullScales[d] = 1
		}
		for i, d := range axes {
			fullScales[d] = scales[i]
		}
	} else {
		if len(sizes) != len(axes) {
			return nil, n.Errorf("sizes has %d values, want %d", len(sizes), len(axes))
		}
		fullSizes = append([]int(nil), x.Shape...)
		for i, d := range axes {
			if sizes[i] < 0 || sizes[i] > tensor.MaxElements {
				return nil, n.Errorf("sizes[%d] is %d", i, sizes[i])
			}
			fullSizes[d] = int(sizes[i])
		}
		switch policy {
		case "stretch":
		case "not_larger", "not_smaller":
			s := 0.0
			for i, d := range axes {
				r := float64(sizes[i]) / float64(x.Shape[d])
				if i == 0 || (policy == "not_larger" && r < s) || (policy == "not_smaller" && r > s) {
					s = r
				}
			}
			for _, d := range axes {
				v := math.Round(s * float64(x.Shape[d]))
				if v > tensor.MaxElements {
					return nil, n.Errorf("sizes %v give a dim of %g", sizes, v)
				}
				fullSizes[d] = int(v)
			}
		default:
			return nil, n.Errorf("unknown keep_aspect_ratio_policy %q", policy)
		}
	}
	var fullRoi []float64
	if p.coord == "tf_crop_and_resize" {
		if len(roi) != 2*len(axes) {
			return nil, n.Errorf("roi has %d values, want %d for tf_crop_and_resize", len(roi), 2*len(axes))
		}
		fullRoi = make([]float64, 2*rank)
		for d := range rank {
			fullRoi[rank+d] = 1
		}
		for i, d := range axes {
			fullRoi[d] = roi[i]
			fullRoi[rank+d] = roi[len(axes)+i]
		}
	}
	return resizeRun(c, n, x, &p, fullScales, fullSizes, fullRoi)
}

// resizeParams are the attributes that shape the interpolation.
type resizeParams struct {
	mode           string // nearest, linear, cubic
	coord          string // coordinate_transformation_mode
	nearest        string // nearest_mode, or "simple" for Resize-10/Upsample
	cubicA         float64
	excludeOutside bool
	extrapolation  float32
}

// resizeFloats reads optional float32 input i (roi, scales); an omitted or
// empty input gives nil.
func resizeFloats(n *graph.Node, in []*tensor.Tensor, i int, what string) ([]float64, error) {
	t := shapeInput(in, i)
	if t == nil {
		return nil, nil
	}
	if err := t.Validate(); err != nil {
		return nil, n.Errorf("%s: %w", what, err)
	}
	if t.DType != tensor.Float32 {
		return nil, n.Errorf("%s is %v, want float32", what, t.DType)
	}
	if t.Len() == 0 {
		return nil, nil
	}
	out := make([]float64, t.Len())
	for j, v := range t.F32 {
		out[j] = float64(v)
	}
	return out, nil
}

// resizeAxis is the coordinate mapping of one axis.
type resizeAxis struct {
	inLen, outLen int
	scale         float64 // output/input
	lenResized    float64 // in*scale (unrounded) or the requested size
	roiStart      float64
	roiEnd        float64
}

// orig maps output coordinate x to the input coordinate x_orig.
func (a *resizeAxis) orig(coord string, x float64) float64 {
	switch coord {
	case "asymmetric":
		return x / a.scale
	case "pytorch_half_pixel":
		if a.lenResized <= 1 {
			return 0
		}
		return (x+0.5)/a.scale - 0.5
	case "tf_half_pixel_for_nn":
		return (x + 0.5) / a.scale
	case "align_corners":
		if a.lenResized == 1 {
			return 0
		}
		return x * float64(a.inLen-1) / (a.lenResized - 1)
	case "tf_crop_and_resize":
		if a.lenResized <= 1 {
			return 0.5 * (a.roiStart + a.roiEnd) * float64(a.inLen-1)
		}
		return a.roiStart*float64(a.inLen-1) + x*(a.roiEnd-a.roiStart)*float64(a.inLen-1)/(a.lenResized-1)
	case "half_pixel_symmetric":
		adj := float64(a.outLen) / a.lenResized
		center := float64(a.inLen) / 2
		return center*(1-adj) + (x+0.5)/a.scale - 0.5
	}
	return (x+0.5)/a.scale - 0.5 // half_pixel
}

// outside reports whether x_orig falls outside the input for
// tf_crop_and_resize (the output is then extrapolation_value).
func (a *resizeAxis) outside(coord string, xo float64) bool {
	return coord == "tf_crop_and_resize" && (xo < 0 || xo > float64(a.inLen-1))
}

// nearestIndex rounds x_orig per nearest_mode and clamps it to the axis.
func (a *resizeAxis) nearestIndex(mode string, xo float64) int {
	var i float64
	switch mode {
	case "simple":
		if a.scale < 1 {
			i = math.Ceil(xo)
		} else {
			i = math.Trunc(xo)
		}
	case "round_prefer_ceil":
		i = math.Floor(xo + 0.5)
	case "floor":
		i = math.Floor(xo)
	case "ceil":
		i = math.Ceil(xo)
	default: // round_prefer_floor
		i = math.Ceil(xo - 0.5)
	}
	return int(max(0, min(i, float64(a.inLen-1))))
}

// resizeRun resizes x given per-axis scales or sizes (exactly one non-nil)
// and, for tf_crop_and_resize, roi ([starts..., ends...]).
func resizeRun(c *Ctx, n *graph.Node, x *tensor.Tensor, p *resizeParams, scales []float64, sizes []int, roi []float64) ([]*tensor.Tensor, error) {
	switch p.mode {
	case "nearest":
		switch p.nearest {
		case "simple", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil":
		default:
			return nil, n.Errorf("unknown nearest_mode %q", p.nearest)
		}
	case "linear", "cubic":
		if x.DType != tensor.Float32 {
			return nil, n.Errorf("mode %s supports float32 input, not %v", p.mode, x.DType)
		}
	default:
		return nil, n.Errorf("unknown mode %q", p.mode)
	}
	switch p.coord {
	case "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize":
	default:
		return nil, n.Errorf("unknown coordinate_transformation_mode %q", p.coord)
	}
	if p.excludeOutside && p.mode != "cubic" {
		return nil, n.Errorf("exclude_outside=1 needs mode cubic")
	}
	rank := x.Rank()
	if rank == 0 {
		return nil, n.Errorf("cannot resize a scalar")
	}
	if scales != nil && len(scales) != rank {
		return nil, n.Errorf("scales has %d values, input %v has rank %d", len(scales), x.Shape, rank)
	}
	if sizes != nil && len(sizes) != rank {
		return nil, n.Errorf("sizes has %d values, input %v has rank %d", len(sizes), x.Shape, rank)
	}
	axes := make([]resizeAxis, rank)
	outShape := make([]int, rank)
	for d := range axes {
		a := &axes[d]
		a.inLen = x.Shape[d]
		if scales != nil {
			s := scales[d]
			if !(s > 0) || math.IsInf(s, 0) {
				return nil, n.Errorf("scale %g for axis %d must be positive and finite", s, d)
			}
			a.scale = s
			a.lenResized = s * float64(a.inLen)
			if a.lenResized >= tensor.MaxElements+1 {
				return nil, n.Errorf("scale %g makes axis %d of length %d too large", s, d, a.inLen)
			}
			a.outLen = int(a.lenResized)
		} else {
			a.outLen = sizes[d]
			a.lenResized = float64(a.outLen)
			a.scale = float64(a.outLen) / float64(max(a.inLen, 1))
		}
		if a.outLen > 0 && a.inLen == 0 {
			return nil, n.Errorf("axis %d has length 0 and cannot be resized to %d", d, a.outLen)
		}
		if a.scale == 0 {
			a.scale = 1 // an empty output: the coordinates are never used
		}
		if roi != nil {
			a.roiStart, a.roiEnd = roi[d], roi[rank+d]
		}
		outShape[d] = a.outLen
	}
	if _, err := tensor.NumElements(outShape); err != nil {
		return nil, n.Errorf("output shape %v: %w", outShape, err)
	}
	if p.mode == "nearest" {
		out, err := shapeAlloc(c, n, x.DType, outShape)
		if err != nil {
			return nil, err
		}
		strides := shapeStrides(x.Shape)
		tabs := make([][]int, rank)
		for d := range tabs {
			a := &axes[d]
			t := make([]int, a.outLen)
			for o := range t {
				xo := a.orig(p.coord, float64(o))
				if a.outside(p.coord, xo) {
					t[o] = -1
					continue
				}
				t[o] = a.nearestIndex(p.nearest, xo) * strides[d]
			}
			tabs[d] = t
		}
		shapeGatherTensor(out, x, tabs, shapeTensorFromFloat(x.DType, p.extrapolation))
		return []*tensor.Tensor{out}, nil
	}
	return resizeInterpolate(c, n, x, p, axes)
}

// resizeTaps holds, for each output index of one axis, k input indices
// and weights; skip[o] marks outputs set to extrapolation_value.
type resizeTaps struct {
	k    int
	idx  []int
	w    []float32
	skip []bool
}

// taps computes the linear (k=2) or cubic (k=4) taps of axis a.
func (a *resizeAxis) taps(p *resizeParams) (t resizeTaps, identity bool) {
	k := 2
	if p.mode == "cubic" {
		k = 4
	}
	t = resizeTaps{k: k, idx: make([]int, k*a.outLen), w: make([]float32, k*a.outLen), skip: make([]bool, a.outLen)}
	identity = a.outLen == a.inLen
	var w64 [4]float64
	for o := range a.outLen {
		xo := a.orig(p.coord, float64(o))
		if a.outside(p.coord, xo) {
			t.skip[o] = true
			identity = false
			continue
		}
		i0 := math.Floor(xo)
		r := xo - i0
		first := int(i0)
		if k == 2 {
			w64[0], w64[1] = 1-r, r
		} else {
			first--
			A := p.cubicA
			w64[0] = resizeCubic(1+r, A)
			w64[1] = resizeCubic(r, A)
			w64[2] = resizeCubic(1-r, A)
			w64[3] = resizeCubic(2-r, A)
			if p.excludeOutside {
				sum := 0.0
				for j := range k {
					if i := first + j; i < 0 || i >= a.inLen {
						w64[j] = 0
					}
					sum += w64[j]
				}
				for j := range k {
					w64[j] /= sum
				}
			}
		}
		for j := range k {
			i := max(0, min(first+j, a.inLen-1))
			t.idx[o*k+j] = i
			t.w[o*k+j] = float32(w64[j])
			if w64[j] != 0 && (i != o || w64[j] != 1) {
				identity = false
			}
		}
	}
	return t, identity
}

// resizeCubic is the Keys cubic convolution kernel with parameter A.
func resizeCubic(s, A float64) float64 {
	s = math.Abs(s)
	switch {
	case s <= 1:
		return ((A+2)*s-(A+3))*s*s + 1
	case s < 2:
		return ((A*s-5*A)*s+8*A)*s - 4*A
	}
	return 0
}

// resizeInterpolate runs one separable pass per axis, last axis first (the
// order of ONNX's reference), skipping axes whose mapping is the identity.
func resizeInterpolate(c *Ctx, n *graph.Node, x *tensor.Tensor, p *resizeParams, axes []resizeAxis) ([]*tensor.Tensor, error) {
	cur := x
	curShape := append([]int(nil), x.Shape...)
	for d := len(axes) - 1; d >= 0; d-- {
		a := &axes[d]
		t, identity := a.taps(p)
		if identity {
			continue
		}
		nextShape := append([]int(nil), curShape...)
		nextShape[d] = a.outLen
		next, err := shapeAlloc(c, n, tensor.Float32, nextShape)
		if err != nil {
			return nil, err
		}
		resizePass(next.F32, cur.F32, shapeProd(curShape[:d]), a.inLen, a.outLen, shapeProd(curShape[d+1:]), &t, p.extrapolation)
		if cur != x && c != nil {
			c.Pool.Put(cur)
		}
		cur, curShape = next, nextShape
	}
	if cur == x {
		out, err := x.Reshaped(x.Shape...)
		if err != nil {
			return nil, n.Errorf("%w", err)
		}
		return []*tensor.Tensor{out}, nil
	}
	return []*tensor.Tensor{cur}, nil
}

// resizePass interpolates src [outer, inLen, inner] along its middle axis
// into dst [outer, outLen, inner].
func resizePass(dst, src []float32, outer, inLen, outLen, inner int, t *resizeTaps, extrap float32) {
	k := t.k
	for ou := range outer {
		s := src[ou*inLen*inner : (ou+1)*inLen*inner]
		for o := range outLen {
			row := dst[(ou*outLen+o)*inner : (ou*outLen+o+1)*inner]
			if t.skip[o] {
				for j := range row {
					row[j] = extrap
				}
				continue
			}
			w0 := t.w[o*k]
			s0 := s[t.idx[o*k]*inner:]
			for j := range row {
				row[j] = w0 * s0[j]
			}
			for q := 1; q < k; q++ {
				w := t.w[o*k+q]
				if w == 0 {
					continue
				}
				sq := s[t.idx[o*k+q]*inner:]
				for j := range row {
					row[j] += w * sq[j]
				}
			}
		}
	}
}
