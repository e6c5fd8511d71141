package ops

import (
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Test helpers shared by the shape kernels' tests.

func shapeNode(op string, nOut int, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: "t_" + strings.ToLower(op), OpType: op}
	for i := range nOut {
		n.Outputs = append(n.Outputs, "y"+string(rune('0'+i)))
	}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	return n
}

func shapeAInts(name string, v ...int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInts, Ints: v}
}
func shapeAInt(name string, v int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInt, I: v}
}
func shapeAStr(name, v string) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrString, S: v}
}
func shapeAFloat(name string, v float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloat, F: v}
}
func shapeAFloats(name string, v ...float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloats, Floats: v}
}

func shapeI64(v ...int64) *tensor.Tensor { return tensor.FromInt64(v, len(v)) }

// shapeF32Seq is a float32 tensor holding 0, 1, 2, ... in shape.
func shapeF32Seq(shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = float32(i)
	}
	return t
}

// shapeRun runs the op's kernel from the registry at opset and fails the
// test on error.
func shapeRun(t *testing.T, opset int64, n *graph.Node, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	k, ok := Lookup("", n.OpType)
	if !ok {
		t.Fatalf("%s is not registered", n.OpType)
	}
	out, err := k(&Ctx{Opset: opset, Pool: &tensor.Pool{}}, n, in)
	if err != nil {
		t.Fatalf("%s: %v", n.OpType, err)
	}
	return out
}

// shapeWantErr runs the op and wants an error naming the node and
// containing frag.
func shapeWantErr(t *testing.T, opset int64, n *graph.Node, frag string, in ...*tensor.Tensor) {
	t.Helper()
	k, ok := Lookup("", n.OpType)
	if !ok {
		t.Fatalf("%s is not registered", n.OpType)
	}
	_, err := k(&Ctx{Opset: opset, Pool: &tensor.Pool{}}, n, in)
	if err == nil {
		t.Fatalf("%s %v: no error, want one containing %q", n.OpType, n.AttrOrder, frag)
	}
	if !strings.Contains(err.Error(), n.Name) || !strings.Contains(err.Error(), frag) {
		t.Fatalf("%s: error %q does not name the node %q or lacks %q", n.OpType, err, n.Name, frag)
	}
}

// shapeWant compares got with an expected tensor exactly.
func shapeWant(t *testing.T, what string, got, want *tensor.Tensor) {
	t.Helper()
	if err := shapeCompare(got, want, 0, 0); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// shapeWantF32 compares got with expected float32 values and shape.
func shapeWantF32(t *testing.T, what string, got *tensor.Tensor, shape []int, want []float32, tol float64) {
	t.Helper()
	if err := shapeCompare(got, tensor.FromFloat32(want, shape...), tol, tol); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}
