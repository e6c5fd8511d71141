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
	if mp.GetIrVersion() <= 0 {
		return nil, fmt.Errorf("onnx: model has no valid ir_version (%d); is this an ONNX file?", mp.GetIrVersion())
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
		if _, dup := m.Opsets[d]; dup {
			return nil, fmt.Errorf("onnx: opset_import lists domain %q twice", os.GetDomain())
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
	used := make(map[string]bool, len(gp.GetNode()))
	for _, np := range gp.GetNode() {
		if np.GetName() != "" {
			used[np.GetName()] = true
		}
	}
	for i, np := range gp.GetNode() {
		// Name unnamed nodes first, so every later error can say which node.
		name := np.GetName()
		if name == "" {
			base := fmt.Sprintf("%s_%d", np.GetOpType(), i)
			name = base
			for k := 1; used[name]; k++ {
				name = fmt.Sprintf("%s_%d", base, k)
			}
			used[name] = true
		}
		n, err := nodeFromProto(np, name, i)
		if err != nil {
			return nil, err
		}
		g.Nodes = append(g.Nodes, n)
	}
	if err := checkOutputs(g); err != nil {
		return nil, err
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

func nodeFromProto(np *onnxpb.NodeProto, name string, index int) (*graph.Node, error) {
	n := &graph.Node{
		Name:      name,
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
		return nil, fmt.Errorf("onnx: node %d %q has no op_type", index, n.Name)
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

// checkOutputs refuses a graph output listed twice.
func checkOutputs(g *graph.Graph) error {
	seen := make(map[string]bool, len(g.Outputs))
	for _, o := range g.Outputs {
		if seen[o.Name] {
			return fmt.Errorf("onnx: graph output %q is listed twice", o.Name)
		}
		seen[o.Name] = true
	}
	return nil
}
