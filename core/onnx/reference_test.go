package onnx

// The reference path: fixq's original decoder and encoder, built on
// protobuf-go and the types generated from onnx.proto (onnxpb). The
// production code (protowire) must give the same graph.Model and the same
// bytes; equivalence_test.go checks it on the real models, the ONNX test
// suite and fuzzed inputs.

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"fixq/core/graph"
	"fixq/core/onnx/onnxpb"
	"fixq/core/tensor"
)

// refDecodeBytes is the original DecodeBytes.
func refDecodeBytes(b []byte) (*graph.Model, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("onnx: empty file")
	}
	var mp onnxpb.ModelProto
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &mp); err != nil {
		return nil, fmt.Errorf("onnx: not a valid ONNX model (protobuf: %v)", err)
	}
	return refFromProto(&mp)
}

// refEncodeBytes is the original EncodeBytes.
func refEncodeBytes(m *graph.Model) ([]byte, error) {
	mp, err := refToProto(m)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(mp)
}

// refDecodeTensor is what callers did before DecodeTensor: proto.Unmarshal
// into a TensorProto, then refTensorFromProto.
func refDecodeTensor(b []byte) (*tensor.Tensor, error) {
	var tp onnxpb.TensorProto
	if err := proto.Unmarshal(b, &tp); err != nil {
		return nil, fmt.Errorf("onnx: not a valid TensorProto (protobuf: %v)", err)
	}
	t, err := refTensorFromProto(&tp)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return t, nil
}

// refFromProto converts a parsed ModelProto.
func refFromProto(mp *onnxpb.ModelProto) (*graph.Model, error) {
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
	g, err := refGraphFromProto(mp.Graph)
	if err != nil {
		return nil, err
	}
	m.Graph = g
	return m, nil
}

func refGraphFromProto(gp *onnxpb.GraphProto) (*graph.Graph, error) {
	g := &graph.Graph{Name: gp.GetName(), Initializers: map[string]*tensor.Tensor{}}
	for _, tp := range gp.GetInitializer() {
		name := tp.GetName()
		if name == "" {
			return nil, fmt.Errorf("onnx: an initializer has no name")
		}
		if _, dup := g.Initializers[name]; dup {
			return nil, fmt.Errorf("onnx: initializer %q appears twice", name)
		}
		t, err := refTensorFromProto(tp)
		if err != nil {
			return nil, fmt.Errorf("onnx: initializer: %w", err)
		}
		g.SetInitializer(name, t)
	}
	if len(gp.GetSparseInitializer()) > 0 {
		return nil, fmt.Errorf("onnx: sparse initializers are not supported (%d present)", len(gp.GetSparseInitializer()))
	}
	for _, vp := range gp.GetInput() {
		vi, err := refValueInfoFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph input: %w", err)
		}
		if _, isInit := g.Initializers[vi.Name]; isInit {
			continue // an initializer listed as input (IR < 4 style)
		}
		g.Inputs = append(g.Inputs, vi)
	}
	for _, vp := range gp.GetOutput() {
		vi, err := refValueInfoFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph output: %w", err)
		}
		g.Outputs = append(g.Outputs, vi)
	}
	for _, vp := range gp.GetValueInfo() {
		vi, err := refValueInfoFromProto(vp)
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
		n, err := refNodeFromProto(np, name, i)
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

func refValueInfoFromProto(vp *onnxpb.ValueInfoProto) (graph.ValueInfo, error) {
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

func refNodeFromProto(np *onnxpb.NodeProto, name string, index int) (*graph.Node, error) {
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
		a, err := refAttrFromProto(ap)
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

// refAttrFromProto converts one attribute. The declared type must match the
// one value field that is set (as onnx.checker requires); an attribute
// that declares one type and holds another is an error, not a zero value.
func refAttrFromProto(ap *onnxpb.AttributeProto) (*graph.Attr, error) {
	a := &graph.Attr{Name: ap.GetName(), Type: graph.AttrType(ap.GetType())}
	if a.Name == "" {
		return nil, fmt.Errorf("an attribute has no name")
	}
	if ap.GetRefAttrName() != "" {
		return nil, fmt.Errorf("attribute %q refers to a function attribute, which is not supported", a.Name)
	}
	present := refAttrFieldsPresent(ap)
	if a.Type == graph.AttrUndefined {
		// IR < 3 files may omit the type; infer it from the one field set.
		switch {
		case len(present) == 0:
			return nil, fmt.Errorf("attribute %q has no type and no value", a.Name)
		case len(present) > 1:
			return nil, fmt.Errorf("attribute %q has no type and several values (%s)", a.Name, strings.Join(present, ", "))
		}
		a.Type = attrTypeOfField[present[0]]
		if a.Type == graph.AttrUndefined {
			return nil, fmt.Errorf("attribute %q holds %s, which is not supported", a.Name, present[0])
		}
	}
	want, known := attrFieldOfType[a.Type]
	if !known {
		return nil, fmt.Errorf("attribute %q has type %s, which is not supported", a.Name, onnxpb.AttributeProto_AttributeType(a.Type))
	}
	for _, f := range present {
		if f != want {
			return nil, fmt.Errorf("attribute %q is declared %v but holds %s", a.Name, a.Type, f)
		}
	}
	if len(present) == 0 && !isListAttr(a.Type) {
		return nil, fmt.Errorf("attribute %q is declared %v but has no value", a.Name, a.Type)
	}
	switch a.Type {
	case graph.AttrFloat:
		a.F = ap.GetF()
	case graph.AttrInt:
		a.I = ap.GetI()
	case graph.AttrString:
		a.S = string(ap.GetS())
	case graph.AttrTensor:
		t, err := refTensorFromProto(ap.GetT())
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
	}
	return a, nil
}

// refAttrFieldsPresent lists the value fields set in ap, in proto order.
func refAttrFieldsPresent(ap *onnxpb.AttributeProto) []string {
	var p []string
	add := func(ok bool, name string) {
		if ok {
			p = append(p, name)
		}
	}
	add(ap.F != nil, "f")
	add(ap.I != nil, "i")
	add(ap.S != nil, "s")
	add(ap.T != nil, "t")
	add(ap.G != nil, "g")
	add(ap.SparseTensor != nil, "sparse_tensor")
	add(ap.Tp != nil, "tp")
	add(len(ap.Floats) > 0, "floats")
	add(len(ap.Ints) > 0, "ints")
	add(len(ap.Strings) > 0, "strings")
	add(len(ap.Tensors) > 0, "tensors")
	add(len(ap.Graphs) > 0, "graphs")
	add(len(ap.SparseTensors) > 0, "sparse_tensors")
	add(len(ap.TypeProtos) > 0, "type_protos")
	return p
}

// refTensorFromProto converts a TensorProto (raw_data or typed fields).
// External data is refused with an error naming the tensor.
func refTensorFromProto(p *onnxpb.TensorProto) (*tensor.Tensor, error) {
	if p == nil {
		return nil, fmt.Errorf("tensor is missing")
	}
	name := p.GetName()
	if p.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(p.GetExternalData()) > 0 {
		return nil, fmt.Errorf("tensor %q: external data is not supported (save the model with its weights inside the .onnx file)", name)
	}
	if p.Segment != nil {
		return nil, fmt.Errorf("tensor %q: segmented tensors are not supported", name)
	}
	dt := tensor.DType(p.GetDataType())
	if !dt.Supported() {
		return nil, fmt.Errorf("tensor %q: data type %s is not supported", name, onnxpb.TensorProto_DataType(p.GetDataType()))
	}
	shape := make([]int, len(p.GetDims()))
	for i, d := range p.GetDims() {
		if d < 0 {
			return nil, fmt.Errorf("tensor %q: dim %d is negative (%d)", name, i, d)
		}
		if d > tensor.MaxElements {
			return nil, fmt.Errorf("tensor %q: dim %d is %d, more than the %d elements fixq allows", name, i, d, tensor.MaxElements)
		}
		shape[i] = int(d)
	}
	n, err := tensor.NumElements(shape)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	raw := p.GetRawData()
	if p.RawData != nil {
		if len(raw) != n*dt.Size() {
			return nil, fmt.Errorf("tensor %q: raw_data has %d bytes, %v%v needs %d", name, len(raw), dt, shape, n*dt.Size())
		}
	} else {
		have, field := len(p.GetInt32Data()), "int32_data" // int8, uint8, int32, bool
		switch dt {
		case tensor.Float32:
			have, field = len(p.GetFloatData()), "float_data"
		case tensor.Int64:
			have, field = len(p.GetInt64Data()), "int64_data"
		}
		if have != n {
			return nil, fmt.Errorf("tensor %q: %s has %d values, %v%v needs %d", name, field, have, dt, shape, n)
		}
	}
	t, err := tensor.New(dt, shape...)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	le := binary.LittleEndian
	switch dt {
	case tensor.Float32:
		if p.RawData != nil {
			for i := range t.F32 {
				t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
			}
		} else {
			copy(t.F32, p.GetFloatData())
		}
	case tensor.Int64:
		if p.RawData != nil {
			for i := range t.I64 {
				t.I64[i] = int64(le.Uint64(raw[8*i:]))
			}
		} else {
			copy(t.I64, p.GetInt64Data())
		}
	case tensor.Int32:
		if p.RawData != nil {
			for i := range t.I32 {
				t.I32[i] = int32(le.Uint32(raw[4*i:]))
			}
		} else {
			copy(t.I32, p.GetInt32Data())
		}
	case tensor.Int8:
		for i := range t.I8 {
			if p.RawData != nil {
				t.I8[i] = int8(raw[i])
			} else {
				t.I8[i] = int8(p.GetInt32Data()[i])
			}
		}
	case tensor.Uint8:
		for i := range t.U8 {
			if p.RawData != nil {
				t.U8[i] = raw[i]
			} else {
				t.U8[i] = uint8(p.GetInt32Data()[i])
			}
		}
	case tensor.Bool:
		for i := range t.B {
			if p.RawData != nil {
				t.B[i] = raw[i] != 0
			} else {
				t.B[i] = p.GetInt32Data()[i] != 0
			}
		}
	}
	return t, nil
}

// refTensorToProto converts t to a TensorProto using raw_data (little endian),
// which is what onnxruntime and the ONNX tools write for weights.
func refTensorToProto(name string, t *tensor.Tensor) (*onnxpb.TensorProto, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	p := &onnxpb.TensorProto{Name: strPtr(name), DataType: i32Ptr(int32(t.DType))}
	p.Dims = make([]int64, len(t.Shape))
	for i, d := range t.Shape {
		p.Dims[i] = int64(d)
	}
	le := binary.LittleEndian
	raw := make([]byte, t.Len()*t.DType.Size())
	switch t.DType {
	case tensor.Float32:
		for i, v := range t.F32 {
			le.PutUint32(raw[4*i:], math.Float32bits(v))
		}
	case tensor.Int64:
		for i, v := range t.I64 {
			le.PutUint64(raw[8*i:], uint64(v))
		}
	case tensor.Int32:
		for i, v := range t.I32 {
			le.PutUint32(raw[4*i:], uint32(v))
		}
	case tensor.Int8:
		for i, v := range t.I8 {
			raw[i] = byte(v)
		}
	case tensor.Uint8:
		copy(raw, t.U8)
	case tensor.Bool:
		for i, v := range t.B {
			if v {
				raw[i] = 1
			}
		}
	}
	p.RawData = raw
	return p, nil
}

func strPtr(s string) *string { return &s }
func i32Ptr(v int32) *int32   { return &v }
func i64Ptr(v int64) *int64   { return &v }

// refToProto converts m to a ModelProto.
func refToProto(m *graph.Model) (*onnxpb.ModelProto, error) {
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
		gp.Input = append(gp.Input, refValueInfoToProto(vi))
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
			gp.Input = append(gp.Input, refValueInfoToProto(vi))
		}
	}
	for _, vi := range g.Outputs {
		gp.Output = append(gp.Output, refValueInfoToProto(vi))
	}
	for _, vi := range g.ValueInfo {
		gp.ValueInfo = append(gp.ValueInfo, refValueInfoToProto(vi))
	}
	for _, name := range g.InitializerOrder {
		tp, err := refTensorToProto(name, g.Initializers[name])
		if err != nil {
			return nil, fmt.Errorf("onnx: encode initializer: %w", err)
		}
		gp.Initializer = append(gp.Initializer, tp)
	}
	for _, n := range g.Nodes {
		np, err := refNodeToProto(n)
		if err != nil {
			return nil, err
		}
		gp.Node = append(gp.Node, np)
	}
	mp.Graph = gp
	return mp, nil
}

func refValueInfoToProto(vi graph.ValueInfo) *onnxpb.ValueInfoProto {
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

func refNodeToProto(n *graph.Node) (*onnxpb.NodeProto, error) {
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
			tp, err := refTensorToProto("", a.T)
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
