package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// clipKernel is ONNX Clip: y = min(max(x, min), max). Before opset 11 the
// bounds are float attributes min and max; since opset 11 they are
// optional scalar inputs of X's type. A missing bound is the type's lowest
// or highest value. With min > max every element becomes max (numpy.clip,
// onnxruntime). Float32 and the integer types (NaN stays NaN).
func clipKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if mathOpset(c) < 11 {
		if err := mathAttrs(n, "min", "max", "consumed_inputs"); err != nil {
			return nil, err
		}
		lo, err := n.AttrFloat("min", -math.MaxFloat32)
		if err != nil {
			return nil, err
		}
		hi, err := n.AttrFloat("max", math.MaxFloat32)
		if err != nil {
			return nil, err
		}
		if in, err = mathInputs(n, in, 1, 1); err != nil {
			return nil, err
		}
		if in[0].DType != tensor.Float32 {
			return nil, n.Errorf("input type %v is not supported before opset 11 (float32 only)", in[0].DType)
		}
		return clipRun(c, n, in[0], lo, hi)
	}
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 1, 3)
	if err != nil {
		return nil, err
	}
	x := in[0]
	switch x.DType {
	case tensor.Float32:
		return clipInputs[float32](c, n, x, in[1], in[2], -math.MaxFloat32, math.MaxFloat32)
	case tensor.Int64:
		return clipInputs[int64](c, n, x, in[1], in[2], math.MinInt64, math.MaxInt64)
	case tensor.Int32:
		return clipInputs[int32](c, n, x, in[1], in[2], math.MinInt32, math.MaxInt32)
	case tensor.Int8:
		return clipInputs[int8](c, n, x, in[1], in[2], math.MinInt8, math.MaxInt8)
	case tensor.Uint8:
		return clipInputs[uint8](c, n, x, in[1], in[2], 0, math.MaxUint8)
	}
	return nil, n.Errorf("input type %v is not supported", x.DType)
}

// clipInputs reads the optional min/max inputs (scalars of X's type).
func clipInputs[T mathNum](c *Ctx, n *graph.Node, x, minT, maxT *tensor.Tensor, lo, hi T) ([]*tensor.Tensor, error) {
	for i, b := range []*tensor.Tensor{minT, maxT} {
		if b == nil {
			continue
		}
		what := [2]string{"min", "max"}[i]
		if b.DType != x.DType {
			return nil, n.Errorf("%s is %v, want %v like the input", what, b.DType, x.DType)
		}
		if b.Len() != 1 {
			return nil, n.Errorf("%s has shape %v, want a scalar", what, b.Shape)
		}
		if i == 0 {
			lo = mathData[T](b)[0]
		} else {
			hi = mathData[T](b)[0]
		}
	}
	return clipRun(c, n, x, lo, hi)
}

func clipRun[T mathNum](c *Ctx, n *graph.Node, x *tensor.Tensor, lo, hi T) ([]*tensor.Tensor, error) {
	if err := mathCheckLen(n, "input", x); err != nil {
		return nil, err
	}
	out, err := mathNew(c, n, x.DType, x.Shape)
	if err != nil {
		return nil, err
	}
	d, xs := mathData[T](out), mathData[T](x)
	if f, ok := any(d).([]float32); ok {
		ewClamp(f, any(xs).([]float32), float32(lo), float32(hi))
		return []*tensor.Tensor{out}, nil
	}
	xs = xs[:len(d)]
	for i, v := range xs {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		d[i] = v
	}
	return []*tensor.Tensor{out}, nil
}
