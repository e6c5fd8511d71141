package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// Helpers shared by the shape/data-movement kernels (registry_shape.go).
//
// Every such kernel moves elements without arithmetic, so one primitive
// serves them all for every dtype: a separable index gather, where output
// element (o0, o1, ..., o_{r-1}) reads source element
// tabs[0][o0] + tabs[1][o1] + ... + tabs[r-1][o_{r-1}] (each table entry is
// already multiplied by its stride). Transpose, Slice, Gather, Expand,
// Tile, Pad and nearest Resize are each a choice of tables.

// shapeElem is the set of Go element types a tensor may hold.
type shapeElem interface {
	float32 | uint8 | int8 | int32 | int64 | bool
}

// shapeMaxRankStack is the rank up to which index counters live on the stack.
const shapeMaxRankStack = 8

// shapeGatherSep writes dst[o] = src[sum_d tabs[d][o_d]] in row-major order
// over the output index o. A negative table entry marks a position outside
// the source (constant padding): such elements get fill. dst must hold
// prod(len(tabs[d])) elements. It allocates nothing for rank <= 8.
//
// Reference loop:
//
//	for each o: off := 0; for d: off += tabs[d][o[d]]; dst[k] = src[off]
func shapeGatherSep[T shapeElem](dst, src []T, tabs [][]int, fill T) {
	r := len(tabs)
	if r == 0 {
		if len(dst) > 0 {
			dst[0] = src[0]
		}
		return
	}
	for _, t := range tabs {
		if len(t) == 0 {
			return
		}
	}
	inner := tabs[r-1]
	w := len(inner)
	// A contiguous, in-range inner table turns each row into one copy.
	contig := inner[0] >= 0
	for j := 1; j < w && contig; j++ {
		contig = inner[j] == inner[0]+j
	}
	var idxBuf [shapeMaxRankStack]int
	var idx []int
	if r <= shapeMaxRankStack {
		idx = idxBuf[:r]
	} else {
		idx = make([]int, r)
	}
	k := 0
	for {
		base, outside := 0, false
		for d := 0; d < r-1; d++ {
			v := tabs[d][idx[d]]
			if v < 0 {
				outside = true
			}
			base += v
		}
		row := dst[k : k+w]
		switch {
		case outside:
			for j := range row {
				row[j] = fill
			}
		case contig:
			copy(row, src[base+inner[0]:base+inner[0]+w])
		default:
			for j, v := range inner {
				if v < 0 {
					row[j] = fill
				} else {
					row[j] = src[base+v]
				}
			}
		}
		k += w
		// Advance the odometer over the outer r-1 dims.
		d := r - 2
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < len(tabs[d]) {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// shapeGatherTensor runs shapeGatherSep on the typed slices of dst and src
// (same dtype). fill, if not nil, is a tensor of that dtype whose first
// element is the fill value; nil means zero.
func shapeGatherTensor(dst, src *tensor.Tensor, tabs [][]int, fill *tensor.Tensor) {
	switch src.DType {
	case tensor.Float32:
		shapeGatherSep(dst.F32, src.F32, tabs, shapeFirst(fill, func(t *tensor.Tensor) []float32 { return t.F32 }))
	case tensor.Uint8:
		shapeGatherSep(dst.U8, src.U8, tabs, shapeFirst(fill, func(t *tensor.Tensor) []uint8 { return t.U8 }))
	case tensor.Int8:
		shapeGatherSep(dst.I8, src.I8, tabs, shapeFirst(fill, func(t *tensor.Tensor) []int8 { return t.I8 }))
	case tensor.Int32:
		shapeGatherSep(dst.I32, src.I32, tabs, shapeFirst(fill, func(t *tensor.Tensor) []int32 { return t.I32 }))
	case tensor.Int64:
		shapeGatherSep(dst.I64, src.I64, tabs, shapeFirst(fill, func(t *tensor.Tensor) []int64 { return t.I64 }))
	case tensor.Bool:
		shapeGatherSep(dst.B, src.B, tabs, shapeFirst(fill, func(t *tensor.Tensor) []bool { return t.B }))
	}
}

func shapeFirst[T shapeElem](t *tensor.Tensor, get func(*tensor.Tensor) []T) T {
	var zero T
	if t == nil {
		return zero
	}
	s := get(t)
	if len(s) == 0 {
		return zero
	}
	return s[0]
}

// shapeCopyRange copies n elements from src[srcOff:] to dst[dstOff:]
// (same dtype).
func shapeCopyRange(dst *tensor.Tensor, dstOff int, src *tensor.Tensor, srcOff, n int) {
	switch src.DType {
	case tensor.Float32:
		copy(dst.F32[dstOff:dstOff+n], src.F32[srcOff:srcOff+n])
	case tensor.Uint8:
		copy(dst.U8[dstOff:dstOff+n], src.U8[srcOff:srcOff+n])
	case tensor.Int8:
		copy(dst.I8[dstOff:dstOff+n], src.I8[srcOff:srcOff+n])
	case tensor.Int32:
		copy(dst.I32[dstOff:dstOff+n], src.I32[srcOff:srcOff+n])
	case tensor.Int64:
		copy(dst.I64[dstOff:dstOff+n], src.I64[srcOff:srcOff+n])
	case tensor.Bool:
		copy(dst.B[dstOff:dstOff+n], src.B[srcOff:srcOff+n])
	}
}

// shapeAlloc returns an output tensor of dt and shape: float32 storage
// comes from the Ctx pool, other dtypes are allocated. The element count is
// checked (tensor.MaxElements) before anything is allocated.
func shapeAlloc(c *Ctx, n *graph.Node, dt tensor.DType, shape []int) (*tensor.Tensor, error) {
	var t *tensor.Tensor
	var err error
	if dt == tensor.Float32 {
		t, err = c.NewFloat32(shape...)
	} else {
		t, err = tensor.New(dt, shape...)
	}
	if err != nil {
		return nil, n.Errorf("output %v: %w", dt, err)
	}
	return t, nil
}

// shapeStrides returns the row-major strides of shape.
func shapeStrides(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

// shapeProd is the product of dims (the caller knows it fits: the dims
// come from a valid tensor).
func shapeProd(dims []int) int {
	p := 1
	for _, d := range dims {
		p *= d
	}
	return p
}

// shapeAxis normalises an axis in [-rank, rank-1] (or [-rank, rank] when
// inclusive, for Flatten-like split points).
func shapeAxis(n *graph.Node, what string, axis int64, rank int, inclusive bool) (int, error) {
	hi := int64(rank) - 1
	if inclusive {
		hi = int64(rank)
	}
	a := axis
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a > hi {
		return 0, n.Errorf("%s %d is out of range for rank %d", what, axis, rank)
	}
	return int(a), nil
}

// shapeInput returns input i, or nil when it is omitted or absent.
func shapeInput(in []*tensor.Tensor, i int) *tensor.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// shapeData checks that input 0 is present and valid.
func shapeData(n *graph.Node, in []*tensor.Tensor) (*tensor.Tensor, error) {
	x := shapeInput(in, 0)
	if x == nil {
		return nil, n.Errorf("input 0 is missing")
	}
	if err := x.Validate(); err != nil {
		return nil, n.Errorf("input 0: %w", err)
	}
	return x, nil
}

// shapeInts reads optional integer input i (a 1-D or scalar shape-like
// tensor: Reshape's shape, Slice's starts, ...). ok is false when the
// input is omitted.
func shapeInts(n *graph.Node, in []*tensor.Tensor, i int, what string) (v []int64, ok bool, err error) {
	t := shapeInput(in, i)
	if t == nil {
		return nil, false, nil
	}
	if err := t.Validate(); err != nil {
		return nil, false, n.Errorf("%s: %w", what, err)
	}
	if t.DType != tensor.Int64 && t.DType != tensor.Int32 {
		return nil, false, n.Errorf("%s is %v, want int64 or int32", what, t.DType)
	}
	if t.Rank() > 1 {
		return nil, false, n.Errorf("%s has shape %v, want 1-D", what, t.Shape)
	}
	v, err = t.AsInt64s()
	if err != nil {
		return nil, false, n.Errorf("%s: %w", what, err)
	}
	return v, true, nil
}

// shapeDims converts int64 dims (a target shape from the model) to ints,
// refusing negatives and products over tensor.MaxElements.
func shapeDims(n *graph.Node, what string, v []int64) ([]int, error) {
	out := make([]int, len(v))
	for i, d := range v {
		if d < 0 || d > tensor.MaxElements {
			return nil, n.Errorf("%s: dim %d is %d", what, i, d)
		}
		out[i] = int(d)
	}
	if _, err := tensor.NumElements(out); err != nil {
		return nil, n.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// shapeOpset is the model's opset; 0 (unset, e.g. in a unit test that does
// not care) means the newest behaviour.
func shapeOpset(c *Ctx) int64 {
	if c == nil || c.Opset == 0 {
		return 1 << 30
	}
	return c.Opset
}

// shapeCheckAttrs refuses attributes the op does not define.
func shapeCheckAttrs(n *graph.Node, allowed ...string) error {
	for name := range n.Attrs {
		ok := false
		for _, a := range allowed {
			if name == a {
				ok = true
				break
			}
		}
		if !ok {
			return n.Errorf("unknown attribute %q", name)
		}
	}
	return nil
}

// shapeAxesAttrOrInput reads an "axes" list from the attribute (opset <
// from) or from input i (opset >= from).
func shapeAxesAttrOrInput(c *Ctx, n *graph.Node, in []*tensor.Tensor, i int, from int64) ([]int64, bool, error) {
	if shapeOpset(c) < from {
		if !n.Has("axes") {
			return nil, false, nil
		}
		v, err := n.AttrInts("axes", nil)
		return v, err == nil, err
	}
	if n.Has("axes") {
		return nil, false, n.Errorf("axes is an input since opset %d, not an attribute", from)
	}
	return shapeInts(n, in, i, "axes")
}

// shapeTensorFromFloat makes a one-element tensor of dt holding v
// converted (Pad's float "value" attribute applied to a non-float input).
func shapeTensorFromFloat(dt tensor.DType, v float32) *tensor.Tensor {
	t := tensor.MustNew(dt, 1)
	switch dt {
	case tensor.Float32:
		t.F32[0] = v
	case tensor.Uint8:
		t.U8[0] = uint8(v)
	case tensor.Int8:
		t.I8[0] = int8(v)
	case tensor.Int32:
		t.I32[0] = int32(v)
	case tensor.Int64:
		t.I64[0] = int64(v)
	case tensor.Bool:
		t.B[0] = v != 0
	}
	return t
}
