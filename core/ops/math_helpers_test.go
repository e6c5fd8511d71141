package ops

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// Test helpers of the math family (prefix mt). Kernels are checked against
// ONNX's backend test data (mtONNX) and against plain loops written in the
// tests; every run uses a pool primed with NaN-filled buffers so an output
// element a kernel forgets to write shows up, and checks that the inputs
// were not modified.

// mtRtol and mtAtol bound float32 differences from the ONNX data, whose
// expected outputs numpy computed in float32 (or float64 and rounded):
// a few ulps on transcendental functions, sums in another order.
const (
	mtRtol = 1e-5
	mtAtol = 1e-6
)

// mtCtx is a Ctx whose pool hands out NaN-filled buffers of many sizes.
func mtCtx(opset int64) *Ctx {
	c := &Ctx{Opset: opset, Pool: &tensor.Pool{}}
	for s := 1; s <= 1<<16; s *= 4 {
		b := make([]float32, s)
		for i := range b {
			b[i] = float32(math.NaN())
		}
		c.Pool.Put(tensor.FromFloat32(b, s))
	}
	return c
}

// mtNode builds a node named "n_<op>" with the given attributes, one input
// name per input and outputs y (and mask for a second output).
func mtNode(op string, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: "n_" + op, OpType: op, Outputs: []string{"y"}}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	return n
}

func mtAInt(name string, v int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInt, I: v}
}
func mtAInts(name string, v ...int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInts, Ints: v}
}
func mtAFloat(name string, v float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloat, F: v}
}
func mtAFloats(name string, v ...float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloats, Floats: v}
}
func mtATensor(name string, v *tensor.Tensor) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrTensor, T: v}
}

func mtF32(shape []int, v ...float32) *tensor.Tensor {
	return tensor.FromFloat32(v, shape...)
}
func mtI64(shape []int, v ...int64) *tensor.Tensor { return tensor.FromInt64(v, shape...) }
func mtI32(shape []int, v ...int32) *tensor.Tensor {
	return &tensor.Tensor{DType: tensor.Int32, Shape: shape, I32: v}
}
func mtI8(shape []int, v ...int8) *tensor.Tensor {
	return &tensor.Tensor{DType: tensor.Int8, Shape: shape, I8: v}
}
func mtU8(shape []int, v ...uint8) *tensor.Tensor {
	return &tensor.Tensor{DType: tensor.Uint8, Shape: shape, U8: v}
}
func mtBool(shape []int, v ...bool) *tensor.Tensor {
	return &tensor.Tensor{DType: tensor.Bool, Shape: shape, B: v}
}

// mtCall runs n's registered kernel on a NaN-pooled Ctx, turning a panic
// into a test failure and checking that the inputs are unchanged.
func mtCall(t *testing.T, opset int64, n *graph.Node, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	t.Helper()
	k, ok := Lookup("", n.OpType)
	if !ok {
		t.Fatalf("%s is not registered", n.OpType)
	}
	if len(n.Inputs) != len(in) {
		n.Inputs = make([]string, len(in))
		for i, x := range in {
			if x != nil {
				n.Inputs[i] = fmt.Sprintf("in%d", i)
			}
		}
	}
	before := make([]*tensor.Tensor, len(in))
	for i, x := range in {
		if x != nil {
			before[i] = x.Clone()
		}
	}
	var outs []*tensor.Tensor
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%s: panic: %v", n.OpType, r)
			}
		}()
		outs, err = k(mtCtx(opset), n, in)
	}()
	for i, x := range in {
		if x != nil {
			if e := mtDiff(x, before[i], 0, 0); e != nil {
				t.Fatalf("%s modified input %d: %v", n.OpType, i, e)
			}
		}
	}
	return outs, err
}

// mtRun is mtCall for a kernel that must succeed with one output.
func mtRun(t *testing.T, opset int64, n *graph.Node, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	outs, err := mtCall(t, opset, n, in...)
	if err != nil {
		t.Fatalf("%s: %v", n.OpType, err)
	}
	if len(outs) < 1 || outs[0] == nil {
		t.Fatalf("%s: no output", n.OpType)
	}
	if err := outs[0].Validate(); err != nil {
		t.Fatalf("%s: output: %v", n.OpType, err)
	}
	return outs[0]
}

// mtWant runs n and compares its output with want (float tolerance
// mtRtol/mtAtol, other types exactly).
func mtWant(t *testing.T, opset int64, n *graph.Node, want *tensor.Tensor, in ...*tensor.Tensor) {
	t.Helper()
	got := mtRun(t, opset, n, in...)
	if err := mtDiff(got, want, mtRtol, mtAtol); err != nil {
		t.Fatalf("%s%s: %v", n.OpType, mtAttrString(n), err)
	}
}

// mtWantErr runs n and checks that it fails with an error that names the
// node and contains each fragment.
func mtWantErr(t *testing.T, opset int64, n *graph.Node, frags []string, in ...*tensor.Tensor) {
	t.Helper()
	_, err := mtCall(t, opset, n, in...)
	if err == nil {
		t.Fatalf("%s%s: no error, want one containing %q", n.OpType, mtAttrString(n), frags)
	}
	for _, f := range append([]string{n.Name}, frags...) {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("%s: error %q does not contain %q", n.OpType, err, f)
		}
	}
}

func mtAttrString(n *graph.Node) string {
	var parts []string
	for _, name := range n.AttrOrder {
		a := n.Attrs[name]
		switch a.Type {
		case graph.AttrInt:
			parts = append(parts, fmt.Sprintf("%s=%d", name, a.I))
		case graph.AttrInts:
			parts = append(parts, fmt.Sprintf("%s=%v", name, a.Ints))
		case graph.AttrFloat:
			parts = append(parts, fmt.Sprintf("%s=%g", name, a.F))
		default:
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// mtElem returns element i of t as float64 (bool as 0/1).
func mtElem(t *tensor.Tensor, i int) float64 {
	switch t.DType {
	case tensor.Float32:
		return float64(t.F32[i])
	case tensor.Int64:
		return float64(t.I64[i])
	case tensor.Int32:
		return float64(t.I32[i])
	case tensor.Int8:
		return float64(t.I8[i])
	case tensor.Uint8:
		return float64(t.U8[i])
	case tensor.Bool:
		if t.B[i] {
			return 1
		}
	}
	return 0
}

// mtDiff describes the first difference between got and want: dtype,
// shape, or an element off by more than atol + rtol*|want| (NaN matches
// NaN). Integers and bools compare exactly whatever the tolerance.
func mtDiff(got, want *tensor.Tensor, rtol, atol float64) error {
	if got.DType != want.DType {
		return fmt.Errorf("dtype %v, want %v", got.DType, want.DType)
	}
	if !tensor.SameShape(got.Shape, want.Shape) && !(len(got.Shape) == 0 && len(want.Shape) == 0) {
		return fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	}
	if got.Len() != want.Len() {
		return fmt.Errorf("%d elements, want %d", got.Len(), want.Len())
	}
	for i := 0; i < want.Len(); i++ {
		g, w := mtElem(got, i), mtElem(want, i)
		if math.IsNaN(g) || math.IsNaN(w) {
			if math.IsNaN(g) && math.IsNaN(w) {
				continue
			}
		} else if g == w {
			continue
		} else if got.DType == tensor.Float32 && math.Abs(g-w) <= atol+rtol*math.Abs(w) {
			continue
		}
		if got.DType == tensor.Int64 { // beyond float64's exact range
			return fmt.Errorf("element %d = %d, want %d", i, got.I64[i], want.I64[i])
		}
		return fmt.Errorf("element %d = %v, want %v", i, g, w)
	}
	return nil
}

// mtReadPB decodes a TensorProto file of the ONNX test data.
func mtReadPB(t *testing.T, path string) *tensor.Tensor {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x, err := onnx.DecodeTensor(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}

// mtONNX runs ONNX backend test cases (directories under
// libonnx-testdata's data/node) through the registered kernels: every node
// of the model in order (so "_expanded" cases that lower an op to
// several math ops work too), on every data set, comparing every graph
// output. A missing case fails (or skips without the asset, see
// internal/testassets).
func mtONNX(t *testing.T, cases ...string) {
	t.Helper()
	root := filepath.Join(testassets.ONNXTestData(t), "node")
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
			if err != nil {
				t.Fatalf("case %s: %v", name, err)
			}
			m, err := onnx.DecodeBytes(b)
			if err != nil {
				t.Fatalf("decode %s: %v", name, err)
			}
			sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
			sort.Strings(sets)
			if len(sets) == 0 {
				t.Fatalf("case %s has no test_data_set", name)
			}
			for _, set := range sets {
				vals := map[string]*tensor.Tensor{}
				for k, v := range m.Graph.Initializers {
					vals[k] = v
				}
				for i, vi := range m.Graph.Inputs {
					p := filepath.Join(set, fmt.Sprintf("input_%d.pb", i))
					if _, err := os.Stat(p); err != nil {
						continue // an omitted optional input
					}
					vals[vi.Name] = mtReadPB(t, p)
				}
				if err := mtRunNodes(t, m.Opset(), m.Graph.Nodes, vals); err != nil {
					t.Fatalf("%s: %v", filepath.Base(set), err)
				}
				for i, vo := range m.Graph.Outputs {
					want := mtReadPB(t, filepath.Join(set, fmt.Sprintf("output_%d.pb", i)))
					got := vals[vo.Name]
					if got == nil {
						t.Fatalf("%s: output %q not computed", filepath.Base(set), vo.Name)
					}
					if err := mtDiff(got, want, mtRtol, mtAtol); err != nil {
						t.Fatalf("%s: output %q: %v", filepath.Base(set), vo.Name, err)
					}
				}
			}
		})
	}
}

// mtRunNodes runs nodes in order through mtCall, reading and adding
// values by name in vals.
func mtRunNodes(t *testing.T, opset int64, nodes []*graph.Node, vals map[string]*tensor.Tensor) error {
	t.Helper()
	for _, n := range nodes {
		in := make([]*tensor.Tensor, len(n.Inputs))
		for i, name := range n.Inputs {
			in[i] = vals[name]
		}
		outs, err := mtCall(t, opset, n, in...)
		if err != nil {
			return err
		}
		for i, o := range n.Outputs {
			if o != "" && i < len(outs) {
				vals[o] = outs[i]
			}
		}
	}
	return nil
}
