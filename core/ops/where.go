package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// whereKernel is ONNX Where: out = condition ? X : Y elementwise, all three
// broadcast together (numpy rules); X and Y share any supported type.
func whereKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := mathAttrs(n); err != nil {
		return nil, err
	}
	in, err := mathInputs(n, in, 3, 3)
	if err != nil {
		return nil, err
	}
	cond, x, y := in[0], in[1], in[2]
	for i, t := range in {
		if err := mathCheckLen(n, [3]string{"condition", "X", "Y"}[i], t); err != nil {
			return nil, err
		}
	}
	if cond.DType != tensor.Bool {
		return nil, n.Errorf("condition is %v, want bool", cond.DType)
	}
	if x.DType != y.DType {
		return nil, n.Errorf("X is %v but Y is %v", x.DType, y.DType)
	}
	shape, err := bcShape(cond.Shape, x.Shape, y.Shape)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	out, err := mathNew(c, n, x.DType, shape)
	if err != nil {
		return nil, err
	}
	p, err := newBcPlan(shape, cond.Shape, x.Shape, y.Shape)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	switch x.DType {
	case tensor.Float32:
		whereRun(p, out.F32, cond.B, x.F32, y.F32)
	case tensor.Int64:
		whereRun(p, out.I64, cond.B, x.I64, y.I64)
	case tensor.Int32:
		whereRun(p, out.I32, cond.B, x.I32, y.I32)
	case tensor.Int8:
		whereRun(p, out.I8, cond.B, x.I8, y.I8)
	case tensor.Uint8:
		whereRun(p, out.U8, cond.B, x.U8, y.U8)
	case tensor.Bool:
		whereRun(p, out.B, cond.B, x.B, y.B)
	default:
		return nil, n.Errorf("input type %v is not supported", x.DType)
	}
	return []*tensor.Tensor{out}, nil
}

func whereRun[T any](p *bcPlan, d []T, cond []bool, x, y []T) {
	cs, xs, ys := p.is[0], p.is[1], p.is[2]
	p.forRows(func(o int, off [bcMaxInputs]int) {
		ci, xi, yi := off[0], off[1], off[2]
		for i := o; i < o+p.inner; i++ {
			if cond[ci] {
				d[i] = x[xi]
			} else {
				d[i] = y[yi]
			}
			ci += cs
			xi += xs
			yi += ys
		}
	})
}
