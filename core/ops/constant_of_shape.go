package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// constantOfShapeKernel is ONNX ConstantOfShape: a tensor of the shape given
// by the int64 input, filled with the one-element `value` attribute
// (default float32 0), of value's type. A dim of 0 gives an empty tensor;
// an empty shape gives a scalar.
func constantOfShapeKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "value"); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 1, 1)
	if err != nil {
		return nil, err
	}
	s := in[0]
	if s.DType != tensor.Int64 || s.Rank() > 1 {
		return nil, n.Errorf("shape input is %v, want a 1-D int64 tensor", s)
	}
	shape := make([]int, len(s.I64))
	for i, d := range s.I64 {
		if d < 0 || d > tensor.MaxElements {
			return nil, n.Errorf("shape input %v has dim %d = %d", s.I64, i, d)
		}
		shape[i] = int(d)
	}
	value := tensor.FromFloat32([]float32{0})
	if a, ok := n.Attrs["value"]; ok {
		if a.Type != graph.AttrTensor || a.T == nil {
			return nil, n.Errorf("attribute value is %v, want a tensor", a.Type)
		}
		value = a.T
		if err := mathCheckLen(n, "value", value); err != nil {
			return nil, err
		}
		if value.Len() != 1 {
			return nil, n.Errorf("attribute value has shape %v, want one element", value.Shape)
		}
	}
	out, err := mathNew(c, n, value.DType, shape)
	if err != nil {
		return nil, err
	}
	switch value.DType {
	case tensor.Float32:
		mathFill(out.F32, value.F32[0])
	case tensor.Int64:
		mathFill(out.I64, value.I64[0])
	case tensor.Int32:
		mathFill(out.I32, value.I32[0])
	case tensor.Int8:
		mathFill(out.I8, value.I8[0])
	case tensor.Uint8:
		mathFill(out.U8, value.U8[0])
	case tensor.Bool:
		mathFill(out.B, value.B[0])
	}
	return []*tensor.Tensor{out}, nil
}
