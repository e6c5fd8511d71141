package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// powKernel is ONNX Pow: Z = X ^ Y with numpy broadcasting. X is float32,
// int32 or int64 and Z has X's type; Y is float32, int32 or int64. The
// power is computed in float64 (portablePow: math.Pow's algorithm, the
// same bits natively and in wasm) and converted to Z's type, which
// for integers truncates toward zero like onnxruntime's
// static_cast<T>(std::pow(x, y)).
func powKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "broadcast", "axis"); err != nil {
		return nil, err
	}
	if mathOpset(c) >= 7 && (n.Has("broadcast") || n.Has("axis")) {
		return nil, n.Errorf("attributes broadcast/axis exist only before opset 7")
	}
	in, err := mathInputs(n, in, 2, 2)
	if err != nil {
		return nil, err
	}
	if in, err = mathLegacyBroadcast(n, in); err != nil {
		return nil, err
	}
	x, y := in[0], in[1]
	if err := mathCheckLen(n, "input X", x); err != nil {
		return nil, err
	}
	if err := mathCheckLen(n, "input Y", y); err != nil {
		return nil, err
	}
	shape, err := bcShape(x.Shape, y.Shape)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	var out *tensor.Tensor
	switch x.DType {
	case tensor.Float32:
		out, err = powFor[float32](c, n, x, y, shape)
	case tensor.Int64:
		out, err = powFor[int64](c, n, x, y, shape)
	case tensor.Int32:
		out, err = powFor[int32](c, n, x, y, shape)
	default:
		return nil, n.Errorf("base X is %v, want float32, int32 or int64", x.DType)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func powFor[X float32 | int64 | int32](c *Ctx, n *graph.Node, x, y *tensor.Tensor, shape []int) (*tensor.Tensor, error) {
	out, err := mathNew(c, n, x.DType, shape)
	if err != nil {
		return nil, err
	}
	d, xs := mathData[X](out), mathData[X](x)
	switch y.DType {
	case tensor.Float32:
		err = bcApply(shape, d, xs, x.Shape, y.F32, y.Shape, powRow[X, float32])
	case tensor.Int64:
		err = bcApply(shape, d, xs, x.Shape, y.I64, y.Shape, powRow[X, int64])
	case tensor.Int32:
		err = bcApply(shape, d, xs, x.Shape, y.I32, y.Shape, powRow[X, int32])
	default:
		return nil, n.Errorf("exponent Y is %v, want float32, int32 or int64", y.DType)
	}
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return out, nil
}

// powOf is x^y in float64, converted back to X (integers: truncated,
// saturating, NaN as 0).
func powOf[X float32 | int64 | int32, Y float32 | int64 | int32](x X, y Y) X {
	p := portablePow(float64(x), float64(y))
	var z X
	switch any(z).(type) {
	case float32:
		return X(p)
	case int32:
		return X(int32(castFloatToInt64(p)))
	}
	return X(castFloatToInt64(p))
}

// powRow is, for each i, d[i] = a[i*as] ^ b[i*bs]. A scalar exponent of 2
// (squares in normalisations) is a plain multiply, which rounds the same
// since a float32 square is exact in float64.
func powRow[X float32 | int64 | int32, Y float32 | int64 | int32](d, a []X, b []Y, as, bs int) {
	switch {
	case as == 1 && bs == 1:
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = powOf(a[i], b[i])
		}
	case bs == 0:
		s := b[0]
		a = a[:len(d)]
		if _, ok := any(a).([]float32); ok && s == 2 {
			for i := range d {
				d[i] = a[i] * a[i]
			}
			return
		}
		for i := range d {
			d[i] = powOf(a[i], s)
		}
	default:
		s := a[0]
		b = b[:len(d)]
		for i := range d {
			d[i] = powOf(s, b[i])
		}
	}
}
