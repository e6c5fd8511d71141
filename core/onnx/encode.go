package onnx

import (
	"fmt"
	"io"
	"sort"

	"google.golang.org/protobuf/proto"

	"fixq/core/graph"
	"fixq/core/onnx/onnxpb"
)

// Encode writes m as an ONNX ModelProto. The output is deterministic.
func Encode(w io.Writer, m *graph.Model) error {
	b, err := EncodeBytes(m)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// EncodeBytes is Encode into a byte slice.
func EncodeBytes(m *graph.Model) ([]byte, error) {
	mp, err := ToProto(m)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(mp)
}

// ToProto converts m to a ModelProto.
func ToProto(m *graph.Model) (*onnxpb.ModelProto, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("onnx: encode: no graph")
	}
	mp := &onnxpb.ModelProto{
		IrVersion:       i64Ptr(m.IRVersion),
		ProducerName:    strPtr(m.ProducerName),
		ProducerVersion: strPtr(m.ProducerVersion),
		Domain:          strPtr(m.Domain),
		ModelVersion:    i64Ptr(m.ModelVersion),
		DocString:       strPtr(m.DocString),
	}
	if m.IRVersion == 0 {
		mp.IrVersion = i64Ptr(8)
	}
	domains := make([]string, 0, len(m.Opsets))
	for d := range m.Opsets {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	for _, d := range domains {
		mp.OpsetImport = append(mp.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: strPtr(d), Version: i64Ptr(m.Opsets[d])})
	}
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		mp.MetadataProps = append(mp.MetadataProps, &onnxpb.StringStringEntryProto{Key: strPtr(k), Value: strPtr(m.Metadata[k])})
	}
	g := m.Graph
	gp := &onnxpb.GraphProto{Name: strPtr(g.Name)}
	for _, vi := range g.Inputs {
		gp.Input = append(gp.Input, valueInfoToProto(vi))
	}
	if mp.GetIrVersion() < 4 {
		// Before IR 4 every initializer must also be a graph input.
		for _, name := range g.InitializerOrder {
			t := g.Initializers[name]
			if t == nil {
				continue
			}
			vi := graph.ValueInfo{Name: name, DType: t.DType, Shape: make([]graph.Dim, len(t.Shape))}
			for i, d := range t.Shape {
				vi.Shape[i] = graph.Dim{Value: int64(d)}
			}
			gp.Input = append(gp.Input, valueInfoToProto(vi))
		}
	}
	for _, vi := range g.Outputs {
		gp.Output = append(gp.Output, valueInfoToProto(vi))
	}
	for _, vi := range g.ValueInfo {
		gp.ValueInfo = append(gp.ValueInfo, valueInfoToProto(vi))
	}
	for _, name := range g.InitializerOrder {
		tp, err := TensorToProto(name, g.Initializers[name])
		if err != nil {
			return nil, fmt.Errorf("onnx: encode initializer: %w", err)
		}
		gp.Initializer = append(gp.Initializer, tp)
	}
	for _, n := range g.Nodes {
		np, err := nodeToProto(n)
		if err != nil {
			return nil, err
		}
		gp.Node = append(gp.Node, np)
	}
	mp.Graph = gp
	return mp, nil
}

func valueInfoToProto(vi graph.ValueInfo) *onnxpb.ValueInfoProto {
	vp := &onnxpb.ValueInfoProto{Name: strPtr(vi.Name)}
	if vi.DType == 0 && vi.Shape == nil {
		return vp
	}
	tt := &onnxpb.TypeProto_Tensor{ElemType: i32Ptr(int32(vi.DType))}
	if vi.Shape != nil {
		sh := &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{}}
		for _, d := range vi.Shape {
			dim := &onnxpb.TensorShapeProto_Dimension{}
			if d.Value >= 0 {
				dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d.Value}
			} else if d.Param != "" {
				dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d.Param}
			}
			sh.Dim = append(sh.Dim, dim)
		}
		tt.Shape = sh
	}
	vp.Type = &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: tt}}
	return vp
}

func nodeToProto(n *graph.Node) (*onnxpb.NodeProto, error) {
	np := &onnxpb.NodeProto{
		Name:   strPtr(n.Name),
		OpType: strPtr(n.OpType),
		Input:  append([]string(nil), n.Inputs...),
		Output: append([]string(nil), n.Outputs...),
	}
	if n.Domain != "" {
		np.Domain = strPtr(n.Domain)
	}
	if n.DocString != "" {
		np.DocString = strPtr(n.DocString)
	}
	order := n.AttrOrder
	if len(order) != len(n.Attrs) {
		order = order[:0:0]
		for k := range n.Attrs {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	for _, name := range order {
		a := n.Attrs[name]
		if a == nil {
			continue
		}
		ap := &onnxpb.AttributeProto{Name: strPtr(name)}
		t := onnxpb.AttributeProto_AttributeType(a.Type)
		ap.Type = &t
		switch a.Type {
		case graph.AttrFloat:
			ap.F = &a.F
		case graph.AttrInt:
			ap.I = &a.I
		case graph.AttrString:
			ap.S = []byte(a.S)
		case graph.AttrTensor:
			tp, err := TensorToProto("", a.T)
			if err != nil {
				return nil, fmt.Errorf("onnx: node %q attribute %q: %w", n.Name, name, err)
			}
			tp.Name = nil
			ap.T = tp
		case graph.AttrFloats:
			ap.Floats = a.Floats
		case graph.AttrInts:
			ap.Ints = a.Ints
		case graph.AttrStrings:
			for _, s := range a.Strings {
				ap.Strings = append(ap.Strings, []byte(s))
			}
		default:
			return nil, fmt.Errorf("onnx: node %q (%s): cannot encode attribute %q of type %v", n.Name, n.OpType, name, a.Type)
		}
		np.Attribute = append(np.Attribute, ap)
	}
	return np, nil
}
