package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// castKernel is ONNX Cast between float32, int8, uint8, int32, int64 and
// bool (other `to` types are errors naming the type). The conversions are
// C's, as onnxruntime does them:
//   - float to integer truncates toward zero. Out-of-range values and NaN
//     are undefined in ONNX; fixq saturates to int64 (NaN becomes 0) and
//     then wraps to the target width like an integer cast, which matches
//     numpy and onnxruntime on x86 for everything that fits in int32.
//   - integer to narrower integer wraps (two's complement).
//   - integer to float32 rounds to nearest even.
//   - anything to bool is "!= 0" (NaN is true); bool to a number is 0 or 1.
func castKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	// saturate (opset 19) only concerns float8 targets, which fixq refuses.
	if err := mathAttrs(n, "to", "saturate"); err != nil {
		return nil, err
	}
	if !n.Has("to") {
		return nil, n.Errorf("attribute to is missing")
	}
	to, err := n.AttrInt("to", 0)
	if err != nil {
		return nil, err
	}
	in, err = mathInputs(n, in, 1, 1)
	if err != nil {
		return nil, err
	}
	return castRun(c, n, in[0], tensor.DType(to))
}

// castLikeKernel is ONNX CastLike: Cast to the type of the second input.
func castLikeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "saturate"); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 2, 2)
	if err != nil {
		return nil, err
	}
	return castRun(c, n, in[0], in[1].DType)
}

func castRun(c *Ctx, n *graph.Node, x *tensor.Tensor, to tensor.DType) ([]*tensor.Tensor, error) {
	if !to.Supported() {
		return nil, n.Errorf("cast to %v (ONNX data type %d) is not supported; fixq casts between float32, int8, uint8, int32, int64 and bool", to, int32(to))
	}
	if err := mathCheckLen(n, "input", x); err != nil {
		return nil, err
	}
	if x.DType == to {
		return []*tensor.Tensor{x}, nil
	}
	out, err := mathNew(c, n, to, x.Shape)
	if err != nil {
		return nil, err
	}
	switch x.DType {
	case tensor.Float32:
		castFromFloat(out, x.F32)
	case tensor.Int64:
		castFromInt(out, x.I64)
	case tensor.Int32:
		castFromInt(out, x.I32)
	case tensor.Int8:
		castFromInt(out, x.I8)
	case tensor.Uint8:
		castFromInt(out, x.U8)
	case tensor.Bool:
		castFromBool(out, x.B)
	default:
		return nil, n.Errorf("input type %v is not supported", x.DType)
	}
	return []*tensor.Tensor{out}, nil
}

// castFloatToInt64 truncates toward zero, saturating at the int64 range,
// with NaN as 0. (A plain Go conversion is implementation-defined out of
// range and must give the same answer natively and in wasm.)
func castFloatToInt64(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= 9223372036854775807:
		return math.MaxInt64
	case f <= -9223372036854775808:
		return math.MinInt64
	}
	return int64(f)
}

func castFromFloat(out *tensor.Tensor, x []float32) {
	switch out.DType {
	case tensor.Int64:
		for i, v := range x {
			out.I64[i] = castFloatToInt64(float64(v))
		}
	case tensor.Int32:
		for i, v := range x {
			out.I32[i] = int32(castFloatToInt64(float64(v)))
		}
	case tensor.Int8:
		for i, v := range x {
			out.I8[i] = int8(castFloatToInt64(float64(v)))
		}
	case tensor.Uint8:
		for i, v := range x {
			out.U8[i] = uint8(castFloatToInt64(float64(v)))
		}
	case tensor.Bool:
		for i, v := range x {
			out.B[i] = v != 0
		}
	}
}

func castFromInt[S mathInt](out *tensor.Tensor, x []S) {
	switch out.DType {
	case tensor.Float32:
		castInts(out.F32, x)
	case tensor.Int64:
		castInts(out.I64, x)
	case tensor.Int32:
		castInts(out.I32, x)
	case tensor.Int8:
		castInts(out.I8, x)
	case tensor.Uint8:
		castInts(out.U8, x)
	case tensor.Bool:
		for i, v := range x {
			out.B[i] = v != 0
		}
	}
}

// castInts converts integers with Go's rules (wrap when narrowing, round
// to nearest even to float32), which are C's for these types.
func castInts[D mathNum, S mathInt](d []D, x []S) {
	for i, v := range x {
		d[i] = D(v)
	}
}

func castFromBool(out *tensor.Tensor, x []bool) {
	for i, v := range x {
		var one int64
		if v {
			one = 1
		}
		switch out.DType {
		case tensor.Float32:
			out.F32[i] = float32(one)
		case tensor.Int64:
			out.I64[i] = one
		case tensor.Int32:
			out.I32[i] = int32(one)
		case tensor.Int8:
			out.I8[i] = int8(one)
		case tensor.Uint8:
			out.U8[i] = uint8(one)
		}
	}
}
