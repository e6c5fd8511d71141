package onnx

import (
	"fmt"
	"io"
	"math"
	"sort"

	"google.golang.org/protobuf/encoding/protowire"

	"fixq/core/graph"
	"fixq/core/tensor"
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

// EncodeBytes is Encode into a byte slice. Fields are written in field
// number order, as protobuf-go's deterministic Marshal writes them, so the
// bytes are the same as proto.Marshal of the equivalent ModelProto.
// Tensors are written as little-endian raw_data, which is what
// onnxruntime and the ONNX tools write for weights.
func EncodeBytes(m *graph.Model) ([]byte, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("onnx: encode: no graph")
	}
	// The first pass checks m and measures every message, the second
	// writes into a buffer of exactly the right size.
	e := &encoder{sizing: true}
	if err := e.model(m); err != nil {
		return nil, err
	}
	e.sizing, e.b = false, make([]byte, 0, e.n)
	if err := e.model(m); err != nil {
		return nil, err
	}
	if len(e.b) != e.n || e.k != len(e.sizes) {
		return nil, fmt.Errorf("onnx: encode: internal error: wrote %d bytes, measured %d", len(e.b), e.n)
	}
	return e.b, nil
}

// encoder writes protobuf fields, or only counts their bytes while sizing.
// A message's length precedes it on the wire, so the sizing pass records
// the length of every message in the order they begin (sizes) and the
// writing pass uses them in the same order.
type encoder struct {
	sizing bool
	n      int   // bytes counted (sizing)
	sizes  []int // message lengths in the order messages begin
	open   []int // sizing: pairs (index in sizes, n at the start) of unfinished messages
	k      int   // writing: next entry of sizes
	b      []byte
}

func (e *encoder) tag(num protowire.Number, typ protowire.Type) {
	if e.sizing {
		e.n += protowire.SizeTag(num)
		return
	}
	e.b = protowire.AppendTag(e.b, num, typ)
}

func (e *encoder) varint(num protowire.Number, v uint64) {
	e.tag(num, protowire.VarintType)
	if e.sizing {
		e.n += protowire.SizeVarint(v)
		return
	}
	e.b = protowire.AppendVarint(e.b, v)
}

func (e *encoder) fixed32(num protowire.Number, v uint32) {
	e.tag(num, protowire.Fixed32Type)
	if e.sizing {
		e.n += 4
		return
	}
	e.b = protowire.AppendFixed32(e.b, v)
}

func (e *encoder) str(num protowire.Number, s string) {
	e.tag(num, protowire.BytesType)
	if e.sizing {
		e.n += protowire.SizeBytes(len(s))
		return
	}
	e.b = protowire.AppendString(e.b, s)
}

// begin starts a message field; end finishes it.
func (e *encoder) begin(num protowire.Number) {
	e.tag(num, protowire.BytesType)
	if e.sizing {
		e.open = append(e.open, len(e.sizes), e.n)
		e.sizes = append(e.sizes, 0)
		return
	}
	if e.k < len(e.sizes) {
		e.b = protowire.AppendVarint(e.b, uint64(e.sizes[e.k]))
	}
	e.k++
}

func (e *encoder) end() {
	if !e.sizing {
		return
	}
	top := len(e.open) - 2
	i, start := e.open[top], e.open[top+1]
	e.open = e.open[:top]
	e.sizes[i] = e.n - start
	e.n += protowire.SizeVarint(uint64(e.sizes[i]))
}

func (e *encoder) model(m *graph.Model) error {
	ir := m.IRVersion
	if ir == 0 {
		ir = 8
	}
	e.varint(modelIRVersion, uint64(ir))
	e.str(modelProducerName, m.ProducerName)
	e.str(modelProducerVersion, m.ProducerVersion)
	e.str(modelDomain, m.Domain)
	e.varint(modelModelVersion, uint64(m.ModelVersion))
	e.str(modelDocString, m.DocString)
	e.begin(modelGraph)
	if err := e.graph(m.Graph, ir); err != nil {
		return err
	}
	e.end()
	for _, d := range sortedKeys(m.Opsets) {
		e.begin(modelOpsetImport)
		e.str(opsetDomain, d)
		e.varint(opsetVersion, uint64(m.Opsets[d]))
		e.end()
	}
	for _, k := range sortedKeys(m.Metadata) {
		e.begin(modelMetadataProps)
		e.str(entryKey, k)
		e.str(entryValue, m.Metadata[k])
		e.end()
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (e *encoder) graph(g *graph.Graph, ir int64) error {
	if e.sizing {
		// Report a bad initializer before a bad node, as the graph lists
		// nodes (field 1) before initializers (field 5).
		for _, name := range g.InitializerOrder {
			if err := g.Initializers[name].Validate(); err != nil {
				return fmt.Errorf("onnx: encode initializer: tensor %q: %w", name, err)
			}
		}
	}
	for _, n := range g.Nodes {
		e.begin(graphNode)
		if err := e.node(n); err != nil {
			return err
		}
		e.end()
	}
	e.str(graphName, g.Name)
	for _, name := range g.InitializerOrder {
		e.begin(graphInitializer)
		if err := e.tensor(name, true, g.Initializers[name]); err != nil {
			return fmt.Errorf("onnx: encode initializer: %w", err)
		}
		e.end()
	}
	for _, vi := range g.Inputs {
		e.valueInfo(graphInput, vi)
	}
	if ir < 4 {
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
			e.valueInfo(graphInput, vi)
		}
	}
	for _, vi := range g.Outputs {
		e.valueInfo(graphOutput, vi)
	}
	for _, vi := range g.ValueInfo {
		e.valueInfo(graphValueInfo, vi)
	}
	return nil
}

func (e *encoder) valueInfo(num protowire.Number, vi graph.ValueInfo) {
	e.begin(num)
	e.str(valueName, vi.Name)
	if vi.DType != 0 || vi.Shape != nil {
		e.begin(valueType)
		e.begin(typeTensorType)
		e.varint(typeElemType, uint64(int64(vi.DType)))
		if vi.Shape != nil {
			e.begin(typeShape)
			for _, d := range vi.Shape {
				e.begin(shapeDim)
				if d.Value >= 0 {
					e.varint(dimValueField, uint64(d.Value))
				} else if d.Param != "" {
					e.str(dimParamField, d.Param)
				}
				e.end()
			}
			e.end()
		}
		e.end()
		e.end()
	}
	e.end()
}

// tensor writes a TensorProto with raw_data; named says whether to write
// the name field (attribute tensors have none).
func (e *encoder) tensor(name string, named bool, t *tensor.Tensor) error {
	if e.sizing {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
	}
	for _, d := range t.Shape {
		e.varint(tensorDims, uint64(int64(d)))
	}
	e.varint(tensorDataType, uint64(int64(t.DType)))
	if named {
		e.str(tensorName, name)
	}
	size := t.Len() * t.DType.Size()
	e.tag(tensorRawData, protowire.BytesType)
	if e.sizing {
		e.n += protowire.SizeBytes(size)
		return nil
	}
	e.b = protowire.AppendVarint(e.b, uint64(size))
	e.b = appendRaw(e.b, t)
	return nil
}

func (e *encoder) node(n *graph.Node) error {
	for _, s := range n.Inputs {
		e.str(nodeInput, s)
	}
	for _, s := range n.Outputs {
		e.str(nodeOutput, s)
	}
	e.str(nodeName, n.Name)
	e.str(nodeOpType, n.OpType)
	order := n.AttrOrder
	if len(order) != len(n.Attrs) {
		order = sortedKeys(n.Attrs)
	}
	for _, name := range order {
		a := n.Attrs[name]
		if a == nil {
			continue
		}
		e.begin(nodeAttribute)
		if err := e.attr(n, name, a); err != nil {
			return err
		}
		e.end()
	}
	if n.DocString != "" {
		e.str(nodeDocString, n.DocString)
	}
	if n.Domain != "" {
		e.str(nodeDomain, n.Domain)
	}
	return nil
}

func (e *encoder) attr(n *graph.Node, name string, a *graph.Attr) error {
	e.str(attrName, name)
	switch a.Type {
	case graph.AttrFloat:
		e.fixed32(attrF, math.Float32bits(a.F))
	case graph.AttrInt:
		e.varint(attrI, uint64(a.I))
	case graph.AttrString:
		e.str(attrS, a.S)
	case graph.AttrTensor:
		e.begin(attrT)
		if err := e.tensor("", false, a.T); err != nil {
			return fmt.Errorf("onnx: node %q attribute %q: %w", n.Name, name, err)
		}
		e.end()
	case graph.AttrFloats:
		for _, v := range a.Floats {
			e.fixed32(attrFloats, math.Float32bits(v))
		}
	case graph.AttrInts:
		for _, v := range a.Ints {
			e.varint(attrInts, uint64(v))
		}
	case graph.AttrStrings:
		for _, s := range a.Strings {
			e.str(attrStrings, s)
		}
	default:
		return fmt.Errorf("onnx: node %q (%s): cannot encode attribute %q of type %v", n.Name, n.OpType, name, a.Type)
	}
	e.varint(attrType, uint64(int64(a.Type)))
	return nil
}

// EncodeTensor writes t as a serialized TensorProto named name, with
// little-endian raw_data (the format of ONNX's test_data_set .pb files).
func EncodeTensor(name string, t *tensor.Tensor) ([]byte, error) {
	e := &encoder{sizing: true}
	if err := e.tensor(name, true, t); err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	e.sizing, e.b = false, make([]byte, 0, e.n)
	if err := e.tensor(name, true, t); err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return e.b, nil
}
