package ops

import (
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// The shape kernels allocate per call (index tables, a few headers), never
// per element: the count must not grow with the tensor size.
func TestShapeKernelAllocsDoNotScale(t *testing.T) {
	type run struct {
		name string
		n    *graph.Node
		in   func(x *tensor.Tensor) []*tensor.Tensor
	}
	runs := []run{
		{"Transpose", shapeNode("Transpose", 1, shapeAInts("perm", 0, 2, 3, 1)), func(x *tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{x} }},
		{"Concat", shapeNode("Concat", 1, shapeAInt("axis", 1)), func(x *tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{x, x} }},
		{"Slice", shapeNode("Slice", 1), func(x *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{x, shapeI64(-1), shapeI64(0), shapeI64(3), shapeI64(-1)}
		}},
		{"Pad", shapeNode("Pad", 1, shapeAStr("mode", "reflect")), func(x *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{x, shapeI64(0, 0, 1, 1, 0, 0, 1, 1)}
		}},
		{"ResizeLinear", shapeNode("Resize", 1, shapeAStr("mode", "linear")), func(x *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{x, nil, tensor.FromFloat32([]float32{1, 1, 2, 2}, 4)}
		}},
	}
	for _, r := range runs {
		k, _ := Lookup("", r.n.OpType)
		count := func(hw int) float64 {
			x := shapeF32Seq(1, 4, hw, hw)
			in := r.in(x)
			c := &Ctx{Opset: 13, Pool: &tensor.Pool{}}
			return testing.AllocsPerRun(5, func() {
				outs, err := k(c, r.n, in)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range outs {
					c.Pool.Put(o)
				}
			})
		}
		small, big := count(8), count(64)
		if big > small {
			t.Errorf("%s: %v allocations at 8x8, %v at 64x64: allocation grows with size", r.name, small, big)
		}
	}
}
