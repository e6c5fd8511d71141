package onnx

import (
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"fixq/core/graph"
	"fixq/core/onnx/onnxpb"
	"fixq/core/tensor"
)

// MaxModelBytes is the default limit on an encoded model's size (1 GiB).
const MaxModelBytes = 1 << 30

// Decode reads a whole ONNX model from r (at most MaxModelBytes) and
// converts it. See DecodeBytes.
func Decode(r io.Reader) (*graph.Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("onnx: read: %w", err)
	}
	if len(b) > MaxModelBytes {
		return nil, fmt.Errorf("onnx: model is larger than %d bytes", MaxModelBytes)
	}
	return DecodeBytes(b)
}

// DecodeBytes parses an ONNX ModelProto and converts it to a graph.Model,
// checking the graph (unique names, no dangling inputs, no cycles) and
// sorting nodes topologically. b is not modified or retained.
func DecodeBytes(b []byte) (*graph.Model, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("onnx: empty file")
	}
	var mp onnxpb.ModelProto
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &mp); err != nil {
		return nil, fmt.Errorf("onnx: not a valid ONNX model (protobuf: %v)", err)
	}
	return FromProto(&mp)
}

// FromProto converts a parsed ModelProto.
func FromProto(mp *onnxpb.ModelProto) (*graph.Model, error) {
	if mp.Graph == nil {
		return nil, fmt.Errorf("onnx: model has no graph (is this an ONNX file?)")
	}
	m := &graph.Model{
		IRVersion:       mp.GetIrVersion(),
		ProducerName:    mp.GetProducerName(),
		ProducerVersion: mp.GetProducerVersion(),
		Domain:          mp.GetDomain(),
		ModelVersion:    mp.GetModelVersion(),
		DocString:       mp.GetDocString(),
		Opsets:          map[string]int64{},
	}
	for _, os := range mp.GetOpsetImport() {
		d := os.GetDomain()
		if d == "ai.onnx" {
			d = ""
		}
		m.Opsets[d] = os.GetVersion()
	}
	if _, ok := m.Opsets[""]; !ok {
		if len(mp.GetOpsetImport()) == 0 {
			m.Opsets[""] = 1 // ONNX: no opset_import means opset 1
		}
	}
	for _, kv := range mp.GetMetadataProps() {
		if m.Metadata == nil {
			m.Metadata = map[string]string{}
		}
		m.Metadata[kv.GetKey()] = kv.GetValue()
	}
	g, err := graphFromProto(mp.Graph)
	if err != nil {
		return nil, err
	}
	m.Graph = g
	return m, nil
}

func graphFromProto(gp *onnxpb.GraphProto) (*graph.Graph, error) {
	g := &graph.Graph{Name: gp.GetName(), Initializers: map[string]*tensor.Tensor{}}
	for _, tp := range gp.GetInitializer() {
		name := tp.GetName()
		if name == "" {
			return nil, fmt.Errorf("onnx: an initializer has no name")
		}
		if _, dup := g.Initializers[name]; dup {
			return nil, fmt.Errorf("onnx: initializer %q appears twice", name)
		}
		t, err := TensorFromProto(tp)
		if err != nil {
			return nil, fmt.Errorf("onnx: initializer: %w", err)
		}
		g.SetInitializer(name, t)
	}
	if len(gp.GetSparseInitializer()) > 0 {
		return nil, fmt.Errorf("onnx: sparse initializers are not supported (%d present)", len(gp.GetSparseInitializer()))
	}
	for _, vp := range gp.GetInput() {
		vi, err := valueInfoFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph input: %w", err)
		}
		if _, isInit := g.Initializers[vi.Name]; isInit {
			continue // an initializer listed as input (IR < 4 style)
		}
		g.Inputs = append(g.Inputs, vi)
	}
	for _, vp := range gp.GetOutput() {
		vi, err := valueInfoFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph output: %w", err)
		}
		g.Outputs = append(g.Outputs, vi)
	}
	for _, vp := range gp.GetValueInfo() {
		vi, err := valueInfoFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("onnx: value_info: %w", err)
		}
		g.ValueInfo = append(g.ValueInfo, vi)
	}
	used := map[string]bool{}
	for _, np := range gp.GetNode() {
		if np.GetName() != "" {
			used[np.GetName()] = true
		}
	}
	for i, np := range gp.GetNode() {
		n, err := nodeFromProto(np)
		if err != nil {
			return nil, err
		}
		if n.Name == "" {
			base := fmt.Sprintf("%s_%d", n.OpType, i)
			n.Name = base
			for k := 1; used[n.Name]; k++ {
				n.Name = fmt.Sprintf("%s_%d", base, k)
			}
			used[n.Name] = true
		}
		g.Nodes = append(g.Nodes, n)
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return g, nil
}

func valueInfoFromProto(vp *onnxpb.ValueInfoProto) (graph.ValueInfo, error) {
	vi := graph.ValueInfo{Name: vp.GetName()}
	if vi.Name == "" {
		return vi, fmt.Errorf("a value has no name")
	}
	tt := vp.GetType().GetTensorType()
	if tt == nil {
		if vp.GetType() != nil && vp.GetType().Value != nil {
			return vi, fmt.Errorf("value %q is not a tensor (sequences, maps and optionals are not supported)", vi.Name)
		}
		return vi, nil
	}
	vi.DType = tensor.DType(tt.GetElemType())
	if sh := tt.GetShape(); sh != nil {
		vi.Shape = make([]graph.Dim, 0, len(sh.GetDim()))
		for _, d := range sh.GetDim() {
			switch v := d.Value.(type) {
			case *onnxpb.TensorShapeProto_Dimension_DimValue:
				if v.DimValue < 0 {
					vi.Shape = append(vi.Shape, graph.Dim{Value: -1})
				} else {
					vi.Shape = append(vi.Shape, graph.Dim{Value: v.DimValue})
				}
			case *onnxpb.TensorShapeProto_Dimension_DimParam:
				vi.Shape = append(vi.Shape, graph.Dim{Value: -1, Param: v.DimParam})
			default:
				vi.Shape = append(vi.Shape, graph.Dim{Value: -1})
			}
		}
	}
	return vi, nil
}

func nodeFromProto(np *onnxpb.NodeProto) (*graph.Node, error) {
	n := &graph.Node{
		Name:      np.GetName(),
		OpType:    np.GetOpType(),
		Domain:    np.GetDomain(),
		Inputs:    append([]string(nil), np.GetInput()...),
		Outputs:   append([]string(nil), np.GetOutput()...),
		DocString: np.GetDocString(),
	}
	if n.Domain == "ai.onnx" {
		n.Domain = ""
	}
	if n.OpType == "" {
		return nil, fmt.Errorf("onnx: node %q has no op_type", n.Name)
	}
	for _, ap := range np.GetAttribute() {
		a, err := attrFromProto(ap)
		if err != nil {
			return nil, fmt.Errorf("onnx: node %q (%s): %w", n.Name, n.OpType, err)
		}
		if n.Has(a.Name) {
			return nil, fmt.Errorf("onnx: node %q (%s): attribute %q appears twice", n.Name, n.OpType, a.Name)
		}
		n.SetAttr(a)
	}
	return n, nil
}

func attrFromProto(ap *onnxpb.AttributeProto) (*graph.Attr, error) {
	a := &graph.Attr{Name: ap.GetName(), Type: graph.AttrType(ap.GetType())}
	if a.Name == "" {
		return nil, fmt.Errorf("an attribute has no name")
	}
	if ap.GetRefAttrName() != "" {
		return nil, fmt.Errorf("attribute %q refers to a function attribute, which is not supported", a.Name)
	}
	switch a.Type {
	case graph.AttrFloat:
		a.F = ap.GetF()
	case graph.AttrInt:
		a.I = ap.GetI()
	case graph.AttrString:
		a.S = string(ap.GetS())
	case graph.AttrTensor:
		t, err := TensorFromProto(ap.GetT())
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		a.T = t
	case graph.AttrGraph:
		a.HasGraph = true
	case graph.AttrFloats:
		a.Floats = append([]float32(nil), ap.GetFloats()...)
	case graph.AttrInts:
		a.Ints = append([]int64(nil), ap.GetInts()...)
	case graph.AttrStrings:
		for _, s := range ap.GetStrings() {
			a.Strings = append(a.Strings, string(s))
		}
	case graph.AttrUndefined:
		// IR < 3 files may omit the type; infer it from the one field set.
		switch {
		case ap.F != nil:
			a.Type, a.F = graph.AttrFloat, ap.GetF()
		case ap.I != nil:
			a.Type, a.I = graph.AttrInt, ap.GetI()
		case ap.S != nil:
			a.Type, a.S = graph.AttrString, string(ap.GetS())
		case len(ap.GetFloats()) > 0:
			a.Type, a.Floats = graph.AttrFloats, ap.GetFloats()
		case len(ap.GetInts()) > 0:
			a.Type, a.Ints = graph.AttrInts, ap.GetInts()
		default:
			return nil, fmt.Errorf("attribute %q has no type", a.Name)
		}
	default:
		return nil, fmt.Errorf("attribute %q has type %v, which is not supported", a.Name, a.Type)
	}
	return a, nil
}
