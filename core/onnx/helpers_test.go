package onnx

import (
	"fmt"
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	"fixq/core/graph"
	"fixq/core/onnx/onnxpb"
	"fixq/core/tensor"
)

// smallModel is a valid model: y = Relu(x + w), x float[1,4], w an
// initializer, with node names, opset 13. Tests mutate it.
func smallModel() *onnxpb.ModelProto {
	f := onnxpb.TensorProto_FLOAT
	w := &onnxpb.TensorProto{Name: proto.String("w"), DataType: proto.Int32(int32(f)), Dims: []int64{4},
		FloatData: []float32{1, -2, 3, -4}}
	vi := func(name string) *onnxpb.ValueInfoProto {
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(f)), Shape: &onnxpb.TensorShapeProto{
				Dim: []*onnxpb.TensorShapeProto_Dimension{
					{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 1}},
					{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 4}},
				}}}}}}
	}
	return &onnxpb.ModelProto{
		IrVersion:    proto.Int64(8),
		ProducerName: proto.String("fixq-test"),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(13)}},
		Graph: &onnxpb.GraphProto{
			Name:        proto.String("g"),
			Input:       []*onnxpb.ValueInfoProto{vi("x")},
			Output:      []*onnxpb.ValueInfoProto{vi("y")},
			Initializer: []*onnxpb.TensorProto{w},
			Node: []*onnxpb.NodeProto{
				{Name: proto.String("add"), OpType: proto.String("Add"), Input: []string{"x", "w"}, Output: []string{"s"}},
				{Name: proto.String("relu"), OpType: proto.String("Relu"), Input: []string{"s"}, Output: []string{"y"}},
			},
		},
	}
}

func marshal(t testing.TB, mp *onnxpb.ModelProto) []byte {
	t.Helper()
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// diffModels compares two decoded models structurally and describes the
// first difference ("" if equal). Floats compare by bits, so NaN == NaN.
func diffModels(a, b *graph.Model) string {
	if a.IRVersion != b.IRVersion || a.ProducerName != b.ProducerName || a.ProducerVersion != b.ProducerVersion ||
		a.Domain != b.Domain || a.ModelVersion != b.ModelVersion || a.DocString != b.DocString {
		return fmt.Sprintf("model header: %+v vs %+v", *a, *b)
	}
	if fmt.Sprint(a.Opsets) != fmt.Sprint(b.Opsets) {
		return fmt.Sprintf("opsets %v vs %v", a.Opsets, b.Opsets)
	}
	if fmt.Sprint(a.Metadata) != fmt.Sprint(b.Metadata) {
		return fmt.Sprintf("metadata %v vs %v", a.Metadata, b.Metadata)
	}
	ga, gb := a.Graph, b.Graph
	if ga.Name != gb.Name {
		return fmt.Sprintf("graph name %q vs %q", ga.Name, gb.Name)
	}
	for _, l := range []struct {
		what string
		x, y []graph.ValueInfo
	}{{"inputs", ga.Inputs, gb.Inputs}, {"outputs", ga.Outputs, gb.Outputs}, {"value_info", ga.ValueInfo, gb.ValueInfo}} {
		if fmt.Sprintf("%+v", l.x) != fmt.Sprintf("%+v", l.y) {
			return fmt.Sprintf("%s %+v vs %+v", l.what, l.x, l.y)
		}
	}
	if fmt.Sprint(ga.InitializerOrder) != fmt.Sprint(gb.InitializerOrder) {
		return fmt.Sprintf("initializer order %v vs %v", ga.InitializerOrder, gb.InitializerOrder)
	}
	if len(ga.Initializers) != len(gb.Initializers) {
		return fmt.Sprintf("%d vs %d initializers", len(ga.Initializers), len(gb.Initializers))
	}
	for name, t := range ga.Initializers {
		if d := diffTensors(t, gb.Initializers[name]); d != "" {
			return fmt.Sprintf("initializer %q: %s", name, d)
		}
	}
	if len(ga.Nodes) != len(gb.Nodes) {
		return fmt.Sprintf("%d vs %d nodes", len(ga.Nodes), len(gb.Nodes))
	}
	for i, na := range ga.Nodes {
		nb := gb.Nodes[i]
		if na.Name != nb.Name || na.OpType != nb.OpType || na.Domain != nb.Domain || na.DocString != nb.DocString ||
			fmt.Sprintf("%q", na.Inputs) != fmt.Sprintf("%q", nb.Inputs) ||
			fmt.Sprintf("%q", na.Outputs) != fmt.Sprintf("%q", nb.Outputs) ||
			fmt.Sprint(na.AttrOrder) != fmt.Sprint(nb.AttrOrder) || len(na.Attrs) != len(nb.Attrs) {
			return fmt.Sprintf("node %d: %+v vs %+v", i, *na, *nb)
		}
		for k, x := range na.Attrs {
			y := nb.Attrs[k]
			if y == nil || x.Type != y.Type || x.I != y.I || math.Float32bits(x.F) != math.Float32bits(y.F) || x.S != y.S ||
				x.HasGraph != y.HasGraph || fmt.Sprint(x.Ints) != fmt.Sprint(y.Ints) ||
				fmt.Sprintf("%q", x.Strings) != fmt.Sprintf("%q", y.Strings) || !sameFloatBits(x.Floats, y.Floats) {
				return fmt.Sprintf("node %q attribute %q: %+v vs %+v", na.Name, k, x, y)
			}
			if (x.T == nil) != (y.T == nil) {
				return fmt.Sprintf("node %q attribute %q: tensor presence differs", na.Name, k)
			}
			if x.T != nil {
				if d := diffTensors(x.T, y.T); d != "" {
					return fmt.Sprintf("node %q attribute %q: %s", na.Name, k, d)
				}
			}
		}
	}
	return ""
}

func sameFloatBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func diffTensors(a, b *tensor.Tensor) string {
	if b == nil {
		return "missing"
	}
	if a.DType != b.DType || !tensor.SameShape(a.Shape, b.Shape) {
		return fmt.Sprintf("%v vs %v", a, b)
	}
	same := true
	switch a.DType {
	case tensor.Float32:
		same = sameFloatBits(a.F32, b.F32)
	case tensor.Uint8:
		same = fmt.Sprint(a.U8) == fmt.Sprint(b.U8)
	case tensor.Int8:
		same = fmt.Sprint(a.I8) == fmt.Sprint(b.I8)
	case tensor.Int32:
		same = fmt.Sprint(a.I32) == fmt.Sprint(b.I32)
	case tensor.Int64:
		same = fmt.Sprint(a.I64) == fmt.Sprint(b.I64)
	case tensor.Bool:
		same = fmt.Sprint(a.B) == fmt.Sprint(b.B)
	}
	if !same {
		return "values differ"
	}
	return ""
}

// checkDecoded asserts the invariants a successful Decode promises.
func checkDecoded(t testing.TB, m *graph.Model) {
	t.Helper()
	if m == nil || m.Graph == nil {
		t.Fatal("decode returned nil model without error")
	}
	for name, init := range m.Graph.Initializers {
		if err := init.Validate(); err != nil {
			t.Fatalf("initializer %q: %v", name, err)
		}
	}
	if err := m.Graph.Validate(); err != nil {
		t.Fatalf("decoded graph does not validate: %v", err)
	}
}
