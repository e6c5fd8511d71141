package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// dropoutKernel is ONNX Dropout at inference: the output is the input
// itself and the optional mask is all true (all ones of the input's type
// before opset 10, when the mask had type T). Training mode (opset >= 12
// training_mode input set to true, or is_test=0 before opset 7) is an
// error unless the ratio is 0, since fixq does not draw random masks.
func dropoutKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n, "ratio", "is_test", "seed", "consumed_inputs"); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 1, 3)
	if err != nil {
		return nil, err
	}
	x := in[0]
	ratio, err := n.AttrFloat("ratio", 0.5)
	if err != nil {
		return nil, err
	}
	if in[1] != nil {
		if ratio, err = mathScalarFloat(n, "ratio", in[1]); err != nil {
			return nil, err
		}
	}
	training := false
	if t := in[2]; t != nil {
		if t.DType != tensor.Bool || t.Len() != 1 {
			return nil, n.Errorf("training_mode is %v, want a bool scalar", t)
		}
		training = t.B[0]
	}
	if isTest, err := n.AttrInt("is_test", 1); err != nil {
		return nil, err
	} else if n.Has("is_test") && isTest == 0 {
		training = true
	}
	if training && ratio != 0 {
		return nil, n.Errorf("training mode with ratio %g is not supported (inference only)", ratio)
	}
	outs := []*tensor.Tensor{x}
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		dt := tensor.Bool
		if mathOpset(c) < 10 {
			dt = x.DType
		}
		mask, err := mathNew(c, n, dt, x.Shape)
		if err != nil {
			return nil, err
		}
		if !mathFillOne(mask) {
			return nil, n.Errorf("mask type %v is not supported", dt)
		}
		outs = append(outs, mask)
	}
	return outs, nil
}

// mathFillOne sets every element of t to 1 (true); false for an
// unsupported dtype.
func mathFillOne(t *tensor.Tensor) bool {
	switch t.DType {
	case tensor.Float32:
		mathFill(t.F32, 1)
	case tensor.Int64:
		mathFill(t.I64, 1)
	case tensor.Int32:
		mathFill(t.I32, 1)
	case tensor.Int8:
		mathFill(t.I8, 1)
	case tensor.Uint8:
		mathFill(t.U8, 1)
	case tensor.Bool:
		mathFill(t.B, true)
	default:
		return false
	}
	return true
}

func mathFill[T any](d []T, v T) {
	for i := range d {
		d[i] = v
	}
}
