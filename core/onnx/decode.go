package onnx

import (
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// MaxModelBytes is the default limit on an encoded model's size (1 GiB).
const MaxModelBytes = 1 << 30

// ModelProto, OperatorSetIdProto, StringStringEntryProto, GraphProto,
// NodeProto, ValueInfoProto, TypeProto, TypeProto.Tensor and
// TensorShapeProto(.Dimension) field numbers (onnx.proto).
const (
	modelIRVersion       = 1
	modelProducerName    = 2
	modelProducerVersion = 3
	modelDomain          = 4
	modelModelVersion    = 5
	modelDocString       = 6
	modelGraph           = 7
	modelOpsetImport     = 8
	modelMetadataProps   = 14

	opsetDomain  = 1
	opsetVersion = 2
	entryKey     = 1
	entryValue   = 2

	graphNode              = 1
	graphName              = 2
	graphInitializer       = 5
	graphInput             = 11
	graphOutput            = 12
	graphValueInfo         = 13
	graphSparseInitializer = 15

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5
	nodeDocString = 6
	nodeDomain    = 7

	valueName = 1
	valueType = 2

	typeTensorType = 1 // the TypeProto oneof "value": tensor_type,
	typeSequence   = 4 // sequence_type,
	typeMap        = 5 // map_type,
	typeSparse     = 8 // sparse_tensor_type,
	typeOptional   = 9 // optional_type
	typeElemType   = 1 // TypeProto.Tensor
	typeShape      = 2

	shapeDim      = 1
	dimValueField = 1 // the Dimension oneof "value": dim_value, dim_param
	dimParamField = 2
)

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
	if err := validateMessage(b, &modelSchema, 1); err != nil {
		return nil, fmt.Errorf("onnx: not a valid ONNX model (protobuf: %v)", err)
	}
	return decodeModel(b)
}

// decodeModel converts a ModelProto that has passed validateMessage.
func decodeModel(b []byte) (*graph.Model, error) {
	m := &graph.Model{Opsets: map[string]int64{}}
	var graphs, opsets, metadata [][]byte
	r := newReader(b)
	for r.next() {
		switch {
		case r.is(modelIRVersion, protowire.VarintType):
			m.IRVersion = int64(r.x)
		case r.is(modelProducerName, protowire.BytesType):
			m.ProducerName = string(r.v)
		case r.is(modelProducerVersion, protowire.BytesType):
			m.ProducerVersion = string(r.v)
		case r.is(modelDomain, protowire.BytesType):
			m.Domain = string(r.v)
		case r.is(modelModelVersion, protowire.VarintType):
			m.ModelVersion = int64(r.x)
		case r.is(modelDocString, protowire.BytesType):
			m.DocString = string(r.v)
		case r.is(modelGraph, protowire.BytesType):
			graphs = append(graphs, r.v)
		case r.is(modelOpsetImport, protowire.BytesType):
			opsets = append(opsets, r.v)
		case r.is(modelMetadataProps, protowire.BytesType):
			metadata = append(metadata, r.v)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("onnx: not a valid ONNX model (protobuf: %v)", r.err)
	}
	if graphs == nil {
		return nil, fmt.Errorf("onnx: model has no graph (is this an ONNX file?)")
	}
	if m.IRVersion <= 0 {
		return nil, fmt.Errorf("onnx: model has no valid ir_version (%d); is this an ONNX file?", m.IRVersion)
	}
	for _, ob := range opsets {
		var domain string
		var version int64
		for r = newReader(ob); r.next(); {
			switch {
			case r.is(opsetDomain, protowire.BytesType):
				domain = string(r.v)
			case r.is(opsetVersion, protowire.VarintType):
				version = int64(r.x)
			}
		}
		d := domain
		if d == "ai.onnx" {
			d = ""
		}
		if _, dup := m.Opsets[d]; dup {
			return nil, fmt.Errorf("onnx: opset_import lists domain %q twice", domain)
		}
		m.Opsets[d] = version
	}
	if _, ok := m.Opsets[""]; !ok && len(opsets) == 0 {
		m.Opsets[""] = 1 // ONNX: no opset_import means opset 1
	}
	for _, eb := range metadata {
		if m.Metadata == nil {
			m.Metadata = map[string]string{}
		}
		var k, v string
		for r = newReader(eb); r.next(); {
			switch {
			case r.is(entryKey, protowire.BytesType):
				k = string(r.v)
			case r.is(entryValue, protowire.BytesType):
				v = string(r.v)
			}
		}
		m.Metadata[k] = v
	}
	g, err := decodeGraph(graphs)
	if err != nil {
		return nil, err
	}
	m.Graph = g
	return m, nil
}

// lastString is the last value of string field num in message b ("" if none).
func lastString(b []byte, num protowire.Number) string {
	var s []byte
	for r := newReader(b); r.next(); {
		if r.is(num, protowire.BytesType) {
			s = r.v
		}
	}
	return string(s)
}

func decodeGraph(chunks [][]byte) (*graph.Graph, error) {
	g := &graph.Graph{Initializers: map[string]*tensor.Tensor{}}
	var nodes, inits, inputs, outputs, values [][]byte
	sparse := 0
	for r := newReader(chunks...); r.next(); {
		if r.typ != protowire.BytesType {
			continue
		}
		switch r.num {
		case graphNode:
			nodes = append(nodes, r.v)
		case graphName:
			g.Name = string(r.v)
		case graphInitializer:
			inits = append(inits, r.v)
		case graphSparseInitializer:
			sparse++
		case graphInput:
			inputs = append(inputs, r.v)
		case graphOutput:
			outputs = append(outputs, r.v)
		case graphValueInfo:
			values = append(values, r.v)
		}
	}
	for _, tb := range inits {
		name := lastString(tb, tensorName)
		if name == "" {
			return nil, fmt.Errorf("onnx: an initializer has no name")
		}
		if _, dup := g.Initializers[name]; dup {
			return nil, fmt.Errorf("onnx: initializer %q appears twice", name)
		}
		t, err := decodeTensor(newReader(tb))
		if err != nil {
			return nil, fmt.Errorf("onnx: initializer: %w", err)
		}
		g.SetInitializer(name, t)
	}
	if sparse > 0 {
		return nil, fmt.Errorf("onnx: sparse initializers are not supported (%d present)", sparse)
	}
	for _, vb := range inputs {
		vi, err := decodeValueInfo(vb)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph input: %w", err)
		}
		if _, isInit := g.Initializers[vi.Name]; isInit {
			continue // an initializer listed as input (IR < 4 style)
		}
		g.Inputs = append(g.Inputs, vi)
	}
	for _, vb := range outputs {
		vi, err := decodeValueInfo(vb)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph output: %w", err)
		}
		g.Outputs = append(g.Outputs, vi)
	}
	for _, vb := range values {
		vi, err := decodeValueInfo(vb)
		if err != nil {
			return nil, fmt.Errorf("onnx: value_info: %w", err)
		}
		g.ValueInfo = append(g.ValueInfo, vi)
	}
	names := make([]string, len(nodes))
	used := make(map[string]bool, len(nodes))
	for i, nb := range nodes {
		names[i] = lastString(nb, nodeName)
		if names[i] != "" {
			used[names[i]] = true
		}
	}
	for i, nb := range nodes {
		// Name unnamed nodes first, so every later error can say which node.
		name := names[i]
		if name == "" {
			base := fmt.Sprintf("%s_%d", lastString(nb, nodeOpType), i)
			name = base
			for k := 1; used[name]; k++ {
				name = fmt.Sprintf("%s_%d", base, k)
			}
			used[name] = true
		}
		n, err := decodeNode(nb, name, i)
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

func decodeValueInfo(b []byte) (graph.ValueInfo, error) {
	var vi graph.ValueInfo
	var types [][]byte
	for r := newReader(b); r.next(); {
		switch {
		case r.is(valueName, protowire.BytesType):
			vi.Name = string(r.v)
		case r.is(valueType, protowire.BytesType):
			types = append(types, r.v)
		}
	}
	if vi.Name == "" {
		return vi, fmt.Errorf("a value has no name")
	}
	// TypeProto: the last member of the oneof wins; a tensor_type seen
	// again right after another tensor_type is merged into it.
	var member protowire.Number
	var tensorType [][]byte
	for r := newReader(types...); r.next(); {
		if r.typ != protowire.BytesType {
			continue
		}
		switch r.num {
		case typeTensorType, typeSequence, typeMap, typeSparse, typeOptional:
			if r.num != member {
				tensorType = tensorType[:0]
			}
			member = r.num
			if r.num == typeTensorType {
				tensorType = append(tensorType, r.v)
			}
		}
	}
	switch member {
	case 0:
		return vi, nil // no type, or a type without a value
	case typeTensorType:
	default:
		return vi, fmt.Errorf("value %q is not a tensor (sequences, maps and optionals are not supported)", vi.Name)
	}
	var shape [][]byte
	for r := newReader(tensorType...); r.next(); {
		switch {
		case r.is(typeElemType, protowire.VarintType):
			vi.DType = tensor.DType(int32(r.x))
		case r.is(typeShape, protowire.BytesType):
			shape = append(shape, r.v)
		}
	}
	if shape == nil {
		return vi, nil
	}
	dims := 0
	for r := newReader(shape...); r.next(); {
		if r.is(shapeDim, protowire.BytesType) {
			dims++
		}
	}
	vi.Shape = make([]graph.Dim, 0, dims)
	for r := newReader(shape...); r.next(); {
		if !r.is(shapeDim, protowire.BytesType) {
			continue
		}
		var member protowire.Number
		var value int64
		var param string
		for rd := newReader(r.v); rd.next(); {
			switch {
			case rd.is(dimValueField, protowire.VarintType):
				member, value = dimValueField, int64(rd.x)
			case rd.is(dimParamField, protowire.BytesType):
				member, param = dimParamField, string(rd.v)
			}
		}
		switch {
		case member == dimValueField && value >= 0:
			vi.Shape = append(vi.Shape, graph.Dim{Value: value})
		case member == dimParamField:
			vi.Shape = append(vi.Shape, graph.Dim{Value: -1, Param: param})
		default:
			vi.Shape = append(vi.Shape, graph.Dim{Value: -1})
		}
	}
	return vi, nil
}

func decodeNode(b []byte, name string, index int) (*graph.Node, error) {
	n := &graph.Node{Name: name}
	var attrs [][]byte
	for r := newReader(b); r.next(); {
		if r.typ != protowire.BytesType {
			continue
		}
		switch r.num {
		case nodeInput:
			n.Inputs = append(n.Inputs, string(r.v))
		case nodeOutput:
			n.Outputs = append(n.Outputs, string(r.v))
		case nodeOpType:
			n.OpType = string(r.v)
		case nodeDomain:
			n.Domain = string(r.v)
		case nodeDocString:
			n.DocString = string(r.v)
		case nodeAttribute:
			attrs = append(attrs, r.v)
		}
	}
	if n.Domain == "ai.onnx" {
		n.Domain = ""
	}
	if n.OpType == "" {
		return nil, fmt.Errorf("onnx: node %d %q has no op_type", index, n.Name)
	}
	for _, ab := range attrs {
		a, err := decodeAttr(ab)
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
