package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// QuantizeLinear computes y = saturate(round(x / y_scale) + y_zero_point)
// with round half to even (ONNX), per tensor or per axis (opset 13's
// axis attribute, for 1-D scales). The output type is the zero point's
// (int8 or uint8), uint8 when it is omitted.
func QuantizeLinear(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return nil, n.Errorf("want inputs x and y_scale")
	}
	x, scale := in[0], in[1]
	if x.DType != tensor.Float32 || scale.DType != tensor.Float32 {
		return nil, n.Errorf("x and y_scale must be float32, have %v and %v", x.DType, scale.DType)
	}
	var zp *tensor.Tensor
	if len(in) > 2 {
		zp = in[2]
	}
	outType := tensor.Uint8
	if zp != nil {
		outType = zp.DType
		if outType != tensor.Int8 && outType != tensor.Uint8 {
			return nil, n.Errorf("y_zero_point must be int8 or uint8, is %v", outType)
		}
	}
	axis, per, err := qdqAxis(n, x, scale, zp)
	if err != nil {
		return nil, err
	}
	y, err := tensor.New(outType, x.Shape...)
	if err != nil {
		return nil, n.Errorf("%v", err)
	}
	lo, hi := 0.0, 255.0
	if outType == tensor.Int8 {
		lo, hi = -128, 127
	}
	for i, v := range x.F32 {
		k := 0
		if axis >= 0 {
			k = (i / per) % x.Shape[axis]
		}
		z := 0.0
		if zp != nil {
			if outType == tensor.Int8 {
				z = float64(zp.I8[k])
			} else {
				z = float64(zp.U8[k])
			}
		}
		// Divide in float32 as ONNX and onnxruntime do (a float64 quotient
		// can fall on the other side of a .5 tie).
		q := math.RoundToEven(float64(v/scale.F32[k])) + z
		if math.IsNaN(q) {
			q = z
		}
		q = math.Max(lo, math.Min(hi, q))
		if outType == tensor.Int8 {
			y.I8[i] = int8(q)
		} else {
			y.U8[i] = uint8(q)
		}
	}
	return []*tensor.Tensor{y}, nil
}

// DequantizeLinear computes y = (x - x_zero_point) * x_scale for int8,
// uint8 and int32 x, per tensor or per axis.
func DequantizeLinear(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return nil, n.Errorf("want inputs x and x_scale")
	}
	x, scale := in[0], in[1]
	if scale.DType != tensor.Float32 {
		return nil, n.Errorf("x_scale must be float32, is %v", scale.DType)
	}
	var zp *tensor.Tensor
	if len(in) > 2 {
		zp = in[2]
	}
	if zp != nil && zp.DType != x.DType {
		return nil, n.Errorf("x_zero_point is %v but x is %v", zp.DType, x.DType)
	}
	axis, per, err := qdqAxis(n, x, scale, zp)
	if err != nil {
		return nil, err
	}
	y, err := c.NewFloat32(x.Shape...)
	if err != nil {
		return nil, n.Errorf("%v", err)
	}
	get := func(t *tensor.Tensor, i int) float64 {
		switch t.DType {
		case tensor.Int8:
			return float64(t.I8[i])
		case tensor.Uint8:
			return float64(t.U8[i])
		default:
			return float64(t.I32[i])
		}
	}
	switch x.DType {
	case tensor.Int8, tensor.Uint8, tensor.Int32:
	default:
		return nil, n.Errorf("x must be int8, uint8 or int32, is %v", x.DType)
	}
	for i := range y.F32 {
		k := 0
		if axis >= 0 {
			k = (i / per) % x.Shape[axis]
		}
		z := 0.0
		if zp != nil {
			z = get(zp, k)
		}
		y.F32[i] = float32((get(x, i) - z) * float64(scale.F32[k]))
	}
	return []*tensor.Tensor{y}, nil
}

// qdqAxis checks scale/zero-point shapes: a scalar (or one-element) scale
// is per tensor (axis -1); a 1-D scale is per axis along the axis
// attribute (default 1). per is the stride of that axis.
func qdqAxis(n *graph.Node, x, scale, zp *tensor.Tensor) (axis, per int, err error) {
	if zp != nil && zp.Len() != scale.Len() {
		return 0, 0, n.Errorf("zero point has %d values, scale %d", zp.Len(), scale.Len())
	}
	if scale.Len() == 1 && scale.Rank() <= 1 {
		return -1, 0, nil
	}
	if scale.Rank() != 1 {
		return 0, 0, n.Errorf("scale must be a scalar or 1-D, is %v", scale.Shape)
	}
	a, err := n.AttrInt("axis", 1)
	if err != nil {
		return 0, 0, err
	}
	if a < 0 {
		a += int64(x.Rank())
	}
	if a < 0 || int(a) >= x.Rank() {
		return 0, 0, n.Errorf("axis %d is out of range for rank %d", a, x.Rank())
	}
	if x.Shape[a] != scale.Len() {
		return 0, 0, n.Errorf("scale has %d values, axis %d has %d", scale.Len(), a, x.Shape[a])
	}
	per = 1
	for _, d := range x.Shape[a+1:] {
		per *= d
	}
	return int(a), per, nil
}
