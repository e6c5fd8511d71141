package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// Test helpers shared by the nn kernels' tests.

func nnNode(op string, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: strings.ToLower(op) + "_test", OpType: op}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	return n
}

func nnAInts(name string, v ...int) *graph.Attr {
	a := &graph.Attr{Name: name, Type: graph.AttrInts}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}

func nnAInt(name string, v int) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInt, I: int64(v)}
}

func nnAFloat(name string, v float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloat, F: v}
}

func nnAStr(name, v string) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrString, S: v}
}

// nnRandTensor is a float32 tensor of normal random values.
func nnRandTensor(r *rand.Rand, shape ...int) *tensor.Tensor {
	n, err := tensor.NumElements(shape)
	if err != nil {
		panic(err)
	}
	return tensor.FromFloat32(nnRandSlice(r, n), shape...)
}

// nnNaNCtx is a Ctx whose pool hands out NaN-filled storage, so an output
// element a kernel forgets to write shows up as NaN.
func nnNaNCtx(opset int64, sizes ...int) *Ctx {
	c := &Ctx{Opset: opset, Pool: &tensor.Pool{}}
	for _, s := range sizes {
		c.Pool.Put(tensor.FromFloat32(nnNaNs(s), s))
	}
	return c
}

// nnRunNaN runs kernel k on a NaN-pooled Ctx sized for an output of
// wantLen elements.
func nnRunNaN(t *testing.T, k Kernel, opset int64, n *graph.Node, wantLen int, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	out, err := k(nnNaNCtx(opset, wantLen), n, in)
	if err != nil {
		t.Fatalf("%s: %v", n.OpType, err)
	}
	return out
}

// nnCompare checks got against want elementwise: |got-want| <= atol +
// rtol*|want| (NaN only matches NaN).
func nnCompare(t *testing.T, what string, got *tensor.Tensor, wantShape []int, want []float32, rtol, atol float64) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no output", what)
	}
	if !tensor.SameShape(got.Shape, wantShape) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape, wantShape)
	}
	if len(got.F32) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got.F32), len(want))
	}
	for i := range want {
		g, w := float64(got.F32[i]), float64(want[i])
		if math.IsNaN(g) || math.IsNaN(w) {
			if math.IsNaN(g) && math.IsNaN(w) {
				continue
			}
		} else if math.Abs(g-w) <= atol+rtol*math.Abs(w) {
			continue
		}
		t.Fatalf("%s: element %d = %v, want %v", what, i, g, w)
	}
}

// nnWantErr runs k and checks it fails with an error containing each of
// the given fragments.
func nnWantErr(t *testing.T, k Kernel, n *graph.Node, in []*tensor.Tensor, frags ...string) {
	t.Helper()
	_, err := k(&Ctx{Opset: 17}, n, in)
	if err == nil {
		t.Fatalf("%s %v: no error, want one containing %q", n.OpType, nnAttrString(n), frags)
	}
	for _, f := range frags {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("%s: error %q does not contain %q", n.OpType, err, f)
		}
	}
	if !strings.Contains(err.Error(), n.Name) {
		t.Fatalf("%s: error %q does not name the node %q", n.OpType, err, n.Name)
	}
}

func nnAttrString(n *graph.Node) string {
	var parts []string
	for _, name := range n.AttrOrder {
		a := n.Attrs[name]
		switch a.Type {
		case graph.AttrInts:
			parts = append(parts, fmt.Sprintf("%s=%v", name, a.Ints))
		case graph.AttrInt:
			parts = append(parts, fmt.Sprintf("%s=%d", name, a.I))
		case graph.AttrFloat:
			parts = append(parts, fmt.Sprintf("%s=%v", name, a.F))
		case graph.AttrString:
			parts = append(parts, fmt.Sprintf("%s=%s", name, a.S))
		}
	}
	return strings.Join(parts, " ")
}

// nnONNXCase runs ONNX's backend node test case dir (one node, inputs and
// expected outputs as TensorProto files) through our registry and compares
// at ONNX's own tolerance (rtol 1e-3, atol 1e-7). wantErr, if non-empty,
// says the kernel must refuse the case with an error containing it.
func nnONNXCase(t *testing.T, name, wantErr string) {
	t.Helper()
	dir := filepath.Join(testassets.ONNXTestData(t), "node", name)
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(m.Graph.Nodes) != 1 {
		t.Fatalf("%s: %d nodes, want 1", name, len(m.Graph.Nodes))
	}
	node := m.Graph.Nodes[0]
	k, ok := Lookup(node.Domain, node.OpType)
	if !ok {
		t.Fatalf("%s: no kernel for %s", name, node.OpType)
	}
	read := func(kind string, i int) *tensor.Tensor {
		raw, err := os.ReadFile(filepath.Join(dir, "test_data_set_0", fmt.Sprintf("%s_%d.pb", kind, i)))
		if err != nil {
			t.Fatal(err)
		}
		tt, err := onnx.DecodeTensor(raw)
		if err != nil {
			t.Fatalf("%s: %s_%d.pb: %v", name, kind, i, err)
		}
		return tt
	}
	byName := map[string]*tensor.Tensor{}
	for i, vi := range m.Graph.Inputs {
		byName[vi.Name] = read("input", i)
	}
	var in []*tensor.Tensor
	for _, nm := range node.Inputs {
		if nm == "" {
			in = append(in, nil)
			continue
		}
		tt, ok := byName[nm]
		if !ok {
			tt, ok = m.Graph.Initializers[nm]
		}
		if !ok {
			t.Fatalf("%s: input %q not found", name, nm)
		}
		in = append(in, tt)
	}
	out, err := k(nnNaNCtx(m.Opset()), node, in)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("%s: error %v, want one containing %q", name, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i := range m.Graph.Outputs {
		want := read("output", i)
		if i >= len(out) || out[i] == nil {
			t.Fatalf("%s: output %d missing", name, i)
		}
		nnCompare(t, fmt.Sprintf("%s output %d", name, i), out[i], want.Shape, want.F32, 1e-3, 1e-7)
	}
}
