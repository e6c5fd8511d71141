package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// rangeKernel is ONNX Range: the 1-D tensor start, start+delta, ... up to
// limit (exclusive), with max(ceil((limit-start)/delta), 0) elements and
// element i = start + i*delta. start, limit and delta are scalars of one
// type: float32, int32 or int64. delta = 0 is an error.
func rangeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 3, 3)
	if err != nil {
		return nil, err
	}
	for i, t := range in {
		what := [3]string{"start", "limit", "delta"}[i]
		if t.DType != in[0].DType {
			return nil, n.Errorf("%s is %v, start is %v", what, t.DType, in[0].DType)
		}
		if err := mathCheckLen(n, what, t); err != nil {
			return nil, err
		}
		if t.Len() != 1 {
			return nil, n.Errorf("%s has shape %v, want a scalar", what, t.Shape)
		}
	}
	var out *tensor.Tensor
	switch in[0].DType {
	case tensor.Float32:
		start, limit, delta := in[0].F32[0], in[1].F32[0], in[2].F32[0]
		if delta == 0 {
			return nil, n.Errorf("delta is 0")
		}
		count := math.Ceil((float64(limit) - float64(start)) / float64(delta))
		if count != count {
			return nil, n.Errorf("start %g, limit %g, delta %g give no element count", start, limit, delta)
		}
		if out, err = rangeNew(c, n, tensor.Float32, count); err != nil {
			return nil, err
		}
		for i := range out.F32 {
			out.F32[i] = float32(float64(start) + float64(i)*float64(delta))
		}
	case tensor.Int64:
		if out, err = rangeInt(c, n, in[0].I64[0], in[1].I64[0], in[2].I64[0]); err != nil {
			return nil, err
		}
	case tensor.Int32:
		if out, err = rangeInt(c, n, in[0].I32[0], in[1].I32[0], in[2].I32[0]); err != nil {
			return nil, err
		}
	default:
		return nil, n.Errorf("input type %v is not supported", in[0].DType)
	}
	return []*tensor.Tensor{out}, nil
}

func rangeInt[T int64 | int32](c *Ctx, n *graph.Node, start, limit, delta T) (*tensor.Tensor, error) {
	if delta == 0 {
		return nil, n.Errorf("delta is 0")
	}
	// ceil((limit-start)/delta) exactly, on magnitudes (no overflow).
	var count uint64
	s, l, st := int64(start), int64(limit), int64(delta)
	if st > 0 && l > s {
		span, step := uint64(l)-uint64(s), uint64(st)
		count = span/step + min(span%step, 1)
	} else if st < 0 && l < s {
		span, step := uint64(s)-uint64(l), -uint64(st)
		count = span/step + min(span%step, 1)
	}
	out, err := rangeNew(c, n, mathDTypeOf[T](), float64(count))
	if err != nil {
		return nil, err
	}
	d := mathData[T](out)
	v := start
	for i := range d {
		d[i] = v
		v += delta
	}
	return out, nil
}

// rangeNew allocates the output after bounding the element count.
func rangeNew(c *Ctx, n *graph.Node, dt tensor.DType, count float64) (*tensor.Tensor, error) {
	if count < 0 {
		count = 0
	}
	if count > tensor.MaxElements {
		return nil, n.Errorf("range has %g elements, more than %d", count, tensor.MaxElements)
	}
	return mathNew(c, n, dt, []int{int(count)})
}
