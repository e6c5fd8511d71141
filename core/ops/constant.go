package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// constantKernel is ONNX Constant: exactly one of the attributes value (a
// tensor), value_float, value_floats, value_int or value_ints. The result
// is a copy, so the node's attribute is never recycled or modified.
// String and sparse values are errors.
func constantKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) != 0 {
		return nil, n.Errorf("has %d inputs, want none", len(in))
	}
	if len(n.Attrs) != 1 {
		return nil, n.Errorf("has %d attributes, want exactly one of value, value_float, value_floats, value_int, value_ints", len(n.Attrs))
	}
	var t *tensor.Tensor
	for name, a := range n.Attrs {
		switch {
		case name == "value" && a.Type == graph.AttrTensor && a.T != nil:
			if err := mathCheckLen(n, "value", a.T); err != nil {
				return nil, err
			}
			t = a.T
		case name == "value_float" && a.Type == graph.AttrFloat:
			t = tensor.FromFloat32([]float32{a.F})
		case name == "value_floats" && a.Type == graph.AttrFloats:
			t = tensor.FromFloat32(a.Floats, len(a.Floats))
		case name == "value_int" && a.Type == graph.AttrInt:
			t = tensor.FromInt64([]int64{a.I})
		case name == "value_ints" && a.Type == graph.AttrInts:
			t = tensor.FromInt64(a.Ints, len(a.Ints))
		default:
			return nil, n.Errorf("attribute %s of type %v is not supported", name, a.Type)
		}
	}
	if t.DType != tensor.Float32 {
		return []*tensor.Tensor{t.Clone()}, nil
	}
	out, err := mathNew(c, n, tensor.Float32, t.Shape)
	if err != nil {
		return nil, err
	}
	copy(out.F32, t.F32)
	return []*tensor.Tensor{out}, nil
}
