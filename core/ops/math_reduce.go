package ops

import (
	"math"
	"slices"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Shared machinery of ReduceSum, ReduceMean, ReduceMax, ReduceMin,
// ReduceProd, ReduceL1, ReduceL2 and ReduceSumSquare.
//
// The output with keepdims shape, broadcast back onto the input, is a
// bcPlan: walking the input in rows, each row either folds into one output
// element (the innermost axis is reduced) or combines elementwise into a
// row of the output (it is kept). So any set of axes costs one pass over
// the input with no index arithmetic per element.

type reduceKind int

const (
	reduceSum reduceKind = iota
	reduceMean
	reduceMax
	reduceMin
	reduceProd
	reduceL1
	reduceL2
	reduceSumSquare
)

// reduceRun computes a Reduce* node. axesInputSince is the opset from
// which axes is the optional second input instead of an attribute (13 for
// ReduceSum, 18 for the others); from then on noop_with_empty_axes exists.
func reduceRun(c *Ctx, n *graph.Node, in []*tensor.Tensor, kind reduceKind, axesInputSince int64) ([]*tensor.Tensor, error) {
	axesInput := mathOpset(c) >= axesInputSince
	var axes []int64
	noop := int64(0)
	var err error
	if axesInput {
		if n.Has("axes") {
			return nil, n.Errorf("axes is an input since opset %d, not an attribute", axesInputSince)
		}
		if err := mathAttrs(n, "keepdims", "noop_with_empty_axes"); err != nil {
			return nil, err
		}
		if noop, err = n.AttrInt("noop_with_empty_axes", 0); err != nil {
			return nil, err
		}
		if in, err = mathInputs(n, in, 1, 2); err != nil {
			return nil, err
		}
		if a := in[1]; a != nil {
			if a.Rank() > 1 {
				return nil, n.Errorf("axes input has shape %v, want 1-D", a.Shape)
			}
			if axes, err = a.AsInt64s(); err != nil {
				return nil, n.Errorf("axes input: %w", err)
			}
		}
	} else {
		if err := mathAttrs(n, "keepdims", "axes"); err != nil {
			return nil, err
		}
		if axes, err = n.AttrInts("axes", nil); err != nil {
			return nil, err
		}
		if in, err = mathInputs(n, in, 1, 1); err != nil {
			return nil, err
		}
	}
	keepdims, err := n.AttrInt("keepdims", 1)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if err := mathCheckLen(n, "input", x); err != nil {
		return nil, err
	}
	r := x.Rank()
	reduced := make([]bool, r)
	for _, a := range axes {
		ax, err := mathAxis(n, "axis", a, r)
		if err != nil {
			return nil, err
		}
		if reduced[ax] {
			return nil, n.Errorf("axes %v repeat axis %d", axes, ax)
		}
		reduced[ax] = true
	}
	// Empty axes reduce everything, or with noop_with_empty_axes nothing:
	// then only the elementwise part remains (|x| for L1 and L2, x² for
	// SumSquare, x for the rest), as the ONNX spec says since onnx#7394
	// (2025) and onnxruntime does.
	if len(axes) == 0 && noop == 0 {
		for i := range reduced {
			reduced[i] = true
		}
	}
	keepShape := slices.Clone(x.Shape)
	var outShape []int
	count := 1
	for i, d := range x.Shape {
		if reduced[i] {
			keepShape[i] = 1
			count *= d
			if keepdims != 0 {
				outShape = append(outShape, 1)
			}
		} else {
			outShape = append(outShape, d)
		}
	}
	switch {
	case x.DType == tensor.Float32:
		return reduceFor[float32](c, n, x, kind, keepShape, outShape, count)
	case x.DType == tensor.Int64 && kind != reduceL2:
		return reduceFor[int64](c, n, x, kind, keepShape, outShape, count)
	case x.DType == tensor.Int32 && kind != reduceL2:
		return reduceFor[int32](c, n, x, kind, keepShape, outShape, count)
	case x.DType == tensor.Int8 && (kind == reduceMax || kind == reduceMin):
		return reduceFor[int8](c, n, x, kind, keepShape, outShape, count)
	case x.DType == tensor.Uint8 && (kind == reduceMax || kind == reduceMin):
		return reduceFor[uint8](c, n, x, kind, keepShape, outShape, count)
	}
	return nil, n.Errorf("input type %v is not supported", x.DType)
}

func reduceFor[T mathNum](c *Ctx, n *graph.Node, x *tensor.Tensor, kind reduceKind, keepShape, outShape []int, count int) ([]*tensor.Tensor, error) {
	out, err := mathNew(c, n, x.DType, outShape)
	if err != nil {
		return nil, err
	}
	acc, xs := mathData[T](out), mathData[T](x)
	lo, hi := reduceLimits[T]()
	switch kind {
	case reduceMax:
		mathFill(acc, lo)
	case reduceMin:
		mathFill(acc, hi)
	case reduceProd:
		mathFill(acc, 1)
	default:
		clear(acc)
	}
	p, err := newBcPlan(x.Shape, keepShape)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	p.forRows(func(o int, off [bcMaxInputs]int) {
		row := xs[o : o+p.inner]
		if p.is[0] == 0 {
			acc[off[0]] = reduceFold(kind, acc[off[0]], row)
		} else {
			reduceCombine(kind, acc[off[0]:off[0]+p.inner], row)
		}
	})
	switch kind {
	case reduceMean:
		if count > 0 {
			k := T(count)
			for i := range acc {
				acc[i] /= k
			}
		} else if fs, ok := any(acc).([]float32); ok {
			mathFill(fs, float32(math.NaN())) // mean of nothing
		}
	case reduceL2:
		if fs, ok := any(acc).([]float32); ok {
			for i, v := range fs {
				fs[i] = float32(math.Sqrt(float64(v)))
			}
		}
	}
	return []*tensor.Tensor{out}, nil
}

// reduceLimits are the identities of max and min: -Inf/+Inf for float32,
// the type's range for integers.
func reduceLimits[T mathNum]() (lo, hi T) {
	var z T
	var l, h int64
	switch any(z).(type) {
	case float32:
		inf := math.Inf(1)
		return T(-inf), T(inf)
	case int64:
		l, h = math.MinInt64, math.MaxInt64
	case int32:
		l, h = math.MinInt32, math.MaxInt32
	case int8:
		l, h = math.MinInt8, math.MaxInt8
	default:
		l, h = 0, math.MaxUint8
	}
	return T(l), T(h)
}

// reduceFold folds a whole row into one accumulator. Float sums run in
// float64 along the row.
func reduceFold[T mathNum](kind reduceKind, a T, row []T) T {
	switch kind {
	case reduceMax:
		for _, v := range row {
			a = maxOf(a, v)
		}
		return a
	case reduceMin:
		for _, v := range row {
			a = minOf(a, v)
		}
		return a
	case reduceProd:
		for _, v := range row {
			a *= v
		}
		return a
	}
	if fs, ok := any(row).([]float32); ok {
		var s float64
		switch kind {
		case reduceL1:
			for _, v := range fs {
				s += math.Abs(float64(v))
			}
		case reduceL2, reduceSumSquare:
			for _, v := range fs {
				s += float64(v) * float64(v)
			}
		default:
			for _, v := range fs {
				s += float64(v)
			}
		}
		return T(float64(a) + s)
	}
	switch kind {
	case reduceL1:
		for _, v := range row {
			if v < 0 {
				v = -v
			}
			a += v
		}
	case reduceL2, reduceSumSquare:
		for _, v := range row {
			a += v * v
		}
	default:
		for _, v := range row {
			a += v
		}
	}
	return a
}

// reduceCombine combines a row elementwise into an accumulator row.
func reduceCombine[T mathNum](kind reduceKind, acc, row []T) {
	row = row[:len(acc)]
	switch kind {
	case reduceMax:
		for i, v := range row {
			acc[i] = maxOf(acc[i], v)
		}
	case reduceMin:
		for i, v := range row {
			acc[i] = minOf(acc[i], v)
		}
	case reduceProd:
		for i, v := range row {
			acc[i] *= v
		}
	case reduceL1:
		for i, v := range row {
			if v < 0 {
				v = -v
			}
			acc[i] += v
		}
	case reduceL2, reduceSumSquare:
		for i, v := range row {
			acc[i] += v * v
		}
	default:
		for i, v := range row {
			acc[i] += v
		}
	}
}
