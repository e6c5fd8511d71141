package ops

import (
	"fmt"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Shared plumbing of the math family (elementwise, reductions, casts):
// input and attribute checks, typed output allocation, and per-dtype
// dispatch of generic loops.

// mathNum is every numeric element type fixq holds.
type mathNum interface {
	~float32 | ~int64 | ~int32 | ~int8 | ~uint8
}

// mathInt is the integer element types.
type mathInt interface {
	~int64 | ~int32 | ~int8 | ~uint8
}

// mathInputs checks that a node has between lo and hi inputs and that the
// first lo of them are present, and returns them padded with nil to hi.
func mathInputs(n *graph.Node, in []*tensor.Tensor, lo, hi int) ([]*tensor.Tensor, error) {
	if len(in) < lo || len(in) > hi {
		if lo == hi {
			return nil, n.Errorf("has %d inputs, want %d", len(in), lo)
		}
		return nil, n.Errorf("has %d inputs, want %d to %d", len(in), lo, hi)
	}
	for i := 0; i < lo; i++ {
		if in[i] == nil {
			return nil, n.Errorf("input %d is missing", i)
		}
	}
	if len(in) < hi {
		in = append(append(make([]*tensor.Tensor, 0, hi), in...), make([]*tensor.Tensor, hi-len(in))...)
	}
	return in, nil
}

// mathAttrs rejects any attribute of n not in allowed: an attribute fixq
// does not know could change the result.
func mathAttrs(n *graph.Node, allowed ...string) error {
	for name := range n.Attrs {
		ok := false
		for _, a := range allowed {
			if a == name {
				ok = true
				break
			}
		}
		if !ok {
			return n.Errorf("unsupported attribute %q", name)
		}
	}
	return nil
}

// mathNew allocates an output of dtype dt; float32 comes from the pool.
func mathNew(c *Ctx, n *graph.Node, dt tensor.DType, shape []int) (*tensor.Tensor, error) {
	var t *tensor.Tensor
	var err error
	if dt == tensor.Float32 {
		t, err = c.NewFloat32(shape...)
	} else {
		t, err = tensor.New(dt, shape...)
	}
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	return t, nil
}

// mathData returns t's backing slice as []T; T must match t.DType.
func mathData[T any](t *tensor.Tensor) []T {
	var z T
	switch any(z).(type) {
	case float32:
		return any(t.F32).([]T)
	case int64:
		return any(t.I64).([]T)
	case int32:
		return any(t.I32).([]T)
	case int8:
		return any(t.I8).([]T)
	case uint8:
		return any(t.U8).([]T)
	case bool:
		return any(t.B).([]T)
	}
	panic(fmt.Sprintf("ops: mathData: unsupported element type %T", z))
}

// mathDTypeOf is the tensor dtype of element type T.
func mathDTypeOf[T any]() tensor.DType {
	var z T
	switch any(z).(type) {
	case float32:
		return tensor.Float32
	case int64:
		return tensor.Int64
	case int32:
		return tensor.Int32
	case int8:
		return tensor.Int8
	case uint8:
		return tensor.Uint8
	case bool:
		return tensor.Bool
	}
	panic(fmt.Sprintf("ops: mathDTypeOf: unsupported element type %T", z))
}

// mathCheckLen guards kernels against a tensor whose data does not match
// its shape (a bug upstream, but it must not become an index panic).
func mathCheckLen(n *graph.Node, what string, t *tensor.Tensor) error {
	if err := t.Validate(); err != nil {
		return n.Errorf("%s: %w", what, err)
	}
	return nil
}

// mathBinaryFns holds one loop per element type for a binary op with
// output type U(T) (nil: the op does not take that type).
type mathBinaryFns struct {
	f32 bcRowFn[float32, float32, float32]
	i64 bcRowFn[int64, int64, int64]
	i32 bcRowFn[int32, int32, int32]
	i8  bcRowFn[int8, int8, int8]
	u8  bcRowFn[uint8, uint8, uint8]
}

// mathCompareFns is mathBinaryFns for ops with a bool result.
type mathCompareFns struct {
	f32 bcRowFn[float32, float32, bool]
	i64 bcRowFn[int64, int64, bool]
	i32 bcRowFn[int32, int32, bool]
	i8  bcRowFn[int8, int8, bool]
	u8  bcRowFn[uint8, uint8, bool]
	b   bcRowFn[bool, bool, bool]
}

// mathBinaryOperands checks a two-input node with equal input dtypes and
// returns its inputs and broadcast output shape.
func mathBinaryOperands(n *graph.Node, in []*tensor.Tensor) (a, b *tensor.Tensor, out []int, err error) {
	if in, err = mathInputs(n, in, 2, 2); err != nil {
		return nil, nil, nil, err
	}
	a, b = in[0], in[1]
	if err := mathCheckLen(n, "input A", a); err != nil {
		return nil, nil, nil, err
	}
	if err := mathCheckLen(n, "input B", b); err != nil {
		return nil, nil, nil, err
	}
	if a.DType != b.DType {
		return nil, nil, nil, n.Errorf("inputs have different types %v and %v", a.DType, b.DType)
	}
	if out, err = bcShape(a.Shape, b.Shape); err != nil {
		return nil, nil, nil, n.Errorf("%w", err)
	}
	return a, b, out, nil
}

// mathBinaryRun computes one broadcast binary op into a fresh output.
func mathBinaryRun[T, U any](c *Ctx, n *graph.Node, a, b *tensor.Tensor, shape []int, row bcRowFn[T, T, U]) (*tensor.Tensor, error) {
	out, err := mathNew(c, n, mathDTypeOf[U](), shape)
	if err != nil {
		return nil, err
	}
	if err := bcApply(shape, mathData[U](out), mathData[T](a), a.Shape, mathData[T](b), b.Shape, row); err != nil {
		return nil, n.Errorf("%w", err)
	}
	return out, nil
}

// mathBinary runs a numpy-broadcasting binary op whose output has the
// input type.
func mathBinary(c *Ctx, n *graph.Node, in []*tensor.Tensor, fns *mathBinaryFns) ([]*tensor.Tensor, error) {
	a, b, shape, err := mathBinaryOperands(n, in)
	if err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	switch {
	case a.DType == tensor.Float32 && fns.f32 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.f32)
	case a.DType == tensor.Int64 && fns.i64 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.i64)
	case a.DType == tensor.Int32 && fns.i32 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.i32)
	case a.DType == tensor.Int8 && fns.i8 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.i8)
	case a.DType == tensor.Uint8 && fns.u8 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.u8)
	default:
		return nil, n.Errorf("input type %v is not supported", a.DType)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// mathCompare runs a numpy-broadcasting binary op with a bool output.
func mathCompare(c *Ctx, n *graph.Node, in []*tensor.Tensor, fns *mathCompareFns) ([]*tensor.Tensor, error) {
	a, b, shape, err := mathBinaryOperands(n, in)
	if err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	switch {
	case a.DType == tensor.Float32 && fns.f32 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.f32)
	case a.DType == tensor.Int64 && fns.i64 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.i64)
	case a.DType == tensor.Int32 && fns.i32 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.i32)
	case a.DType == tensor.Int8 && fns.i8 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.i8)
	case a.DType == tensor.Uint8 && fns.u8 != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.u8)
	case a.DType == tensor.Bool && fns.b != nil:
		out, err = mathBinaryRun(c, n, a, b, shape, fns.b)
	default:
		return nil, n.Errorf("input type %v is not supported", a.DType)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// mathUnaryFns holds one loop per element type for a unary op d = f(x)
// with the input's type (nil: the op does not take that type).
type mathUnaryFns struct {
	f32 func(d, x []float32)
	i64 func(d, x []int64)
	i32 func(d, x []int32)
	i8  func(d, x []int8)
	u8  func(d, x []uint8)
}

func mathUnaryRun[T any](c *Ctx, n *graph.Node, x *tensor.Tensor, f func(d, x []T)) ([]*tensor.Tensor, error) {
	out, err := mathNew(c, n, x.DType, x.Shape)
	if err != nil {
		return nil, err
	}
	f(mathData[T](out), mathData[T](x))
	return []*tensor.Tensor{out}, nil
}

// mathUnary runs an elementwise unary op on a node's single input.
func mathUnary(c *Ctx, n *graph.Node, in []*tensor.Tensor, fns *mathUnaryFns) ([]*tensor.Tensor, error) {
	in, err := mathInputs(n, in, 1, 1)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if err := mathCheckLen(n, "input", x); err != nil {
		return nil, err
	}
	switch {
	case x.DType == tensor.Float32 && fns.f32 != nil:
		return mathUnaryRun(c, n, x, fns.f32)
	case x.DType == tensor.Int64 && fns.i64 != nil:
		return mathUnaryRun(c, n, x, fns.i64)
	case x.DType == tensor.Int32 && fns.i32 != nil:
		return mathUnaryRun(c, n, x, fns.i32)
	case x.DType == tensor.Int8 && fns.i8 != nil:
		return mathUnaryRun(c, n, x, fns.i8)
	case x.DType == tensor.Uint8 && fns.u8 != nil:
		return mathUnaryRun(c, n, x, fns.u8)
	}
	return nil, n.Errorf("input type %v is not supported", x.DType)
}

// mathUnaryFloat runs a float32-only unary op (after checking that the node
// has no attributes but allowed).
func mathUnaryFloat(c *Ctx, n *graph.Node, in []*tensor.Tensor, f func(d, x []float32), allowed ...string) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, allowed...); err != nil {
		return nil, err
	}
	return mathUnary(c, n, in, &mathUnaryFns{f32: f})
}

// mathScalarFloat reads a one-element float32 input (Clip's min, Dropout's
// ratio, ...).
func mathScalarFloat(n *graph.Node, what string, t *tensor.Tensor) (float32, error) {
	if t.DType != tensor.Float32 {
		return 0, n.Errorf("%s is %v, want float32", what, t.DType)
	}
	if len(t.F32) != 1 {
		return 0, n.Errorf("%s has shape %v, want a scalar", what, t.Shape)
	}
	return t.F32[0], nil
}

// mathAxis normalises axis (negative counts from the end) for rank r.
func mathAxis(n *graph.Node, what string, axis int64, r int) (int, error) {
	if axis < -int64(r) || axis >= int64(r) {
		return 0, n.Errorf("%s %d is out of range for rank %d", what, axis, r)
	}
	if axis < 0 {
		axis += int64(r)
	}
	return int(axis), nil
}
