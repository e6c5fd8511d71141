package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"fixq/core/graph"
)

// AttributeProto field numbers (onnx.proto).
const (
	attrName          = 1
	attrF             = 2
	attrI             = 3
	attrS             = 4
	attrT             = 5
	attrG             = 6
	attrFloats        = 7
	attrInts          = 8
	attrStrings       = 9
	attrTensors       = 10
	attrGraphs        = 11
	attrTp            = 14
	attrTypeProtos    = 15
	attrType          = 20
	attrRefAttrName   = 21
	attrSparseTensor  = 22
	attrSparseTensors = 23
)

// attrFields are the value fields of AttributeProto in the order
// attrFieldsPresent lists them (proto order), with their wire encoding.
var attrFields = [...]struct {
	num  protowire.Number
	name string
	kind wireKind // wVarint, wFixed32 (repeated numbers count values) or wBytes/wMessage
	list bool
}{
	{attrF, "f", wFixed32, false},
	{attrI, "i", wVarint, false},
	{attrS, "s", wBytes, false},
	{attrT, "t", wMessage, false},
	{attrG, "g", wMessage, false},
	{attrSparseTensor, "sparse_tensor", wMessage, false},
	{attrTp, "tp", wMessage, false},
	{attrFloats, "floats", wFixed32, true},
	{attrInts, "ints", wVarint, true},
	{attrStrings, "strings", wBytes, true},
	{attrTensors, "tensors", wMessage, true},
	{attrGraphs, "graphs", wMessage, true},
	{attrSparseTensors, "sparse_tensors", wMessage, true},
	{attrTypeProtos, "type_protos", wMessage, true},
}

// decodeAttr converts one AttributeProto. The declared type must match the
// one value field that is set (as onnx.checker requires); an attribute
// that declares one type and holds another is an error, not a zero value.
func decodeAttr(b []byte) (*graph.Attr, error) {
	var (
		a       = &graph.Attr{}
		refAttr string
		typ     int32
		s       []byte
		t       [][]byte // the occurrences of t, merged
		// present[i]: attrFields[i] is set (a value seen, or a list non-empty).
		present [len(attrFields)]bool
	)
	r := newReader(b)
	for r.next() {
		switch {
		case r.is(attrName, protowire.BytesType):
			a.Name = string(r.v)
		case r.is(attrRefAttrName, protowire.BytesType):
			refAttr = string(r.v)
		case r.is(attrType, protowire.VarintType):
			typ = int32(r.x)
		case r.is(attrF, protowire.Fixed32Type):
			a.F = math.Float32frombits(uint32(r.x))
		case r.is(attrI, protowire.VarintType):
			a.I = int64(r.x)
		case r.is(attrS, protowire.BytesType):
			s = r.v
		case r.is(attrT, protowire.BytesType):
			t = append(t, r.v)
		}
		for i, f := range attrFields {
			if f.num != r.num || present[i] {
				continue
			}
			switch {
			case f.list && (f.kind == wVarint || f.kind == wFixed32):
				present[i] = r.count(f.kind) > 0 // a list is set when non-empty
			case f.kind == wVarint:
				present[i] = r.typ == protowire.VarintType
			case f.kind == wFixed32:
				present[i] = r.typ == protowire.Fixed32Type
			default:
				present[i] = r.typ == protowire.BytesType
			}
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("attribute %q: %v", a.Name, r.err)
	}
	a.Type = graph.AttrType(typ)
	if a.Name == "" {
		return nil, fmt.Errorf("an attribute has no name")
	}
	if refAttr != "" {
		return nil, fmt.Errorf("attribute %q refers to a function attribute, which is not supported", a.Name)
	}
	var names []string
	for i, p := range present {
		if p {
			names = append(names, attrFields[i].name)
		}
	}
	if a.Type == graph.AttrUndefined {
		// IR < 3 files may omit the type; infer it from the one field set.
		switch {
		case len(names) == 0:
			return nil, fmt.Errorf("attribute %q has no type and no value", a.Name)
		case len(names) > 1:
			return nil, fmt.Errorf("attribute %q has no type and several values (%s)", a.Name, strings.Join(names, ", "))
		}
		a.Type = attrTypeOfField[names[0]]
		if a.Type == graph.AttrUndefined {
			return nil, fmt.Errorf("attribute %q holds %s, which is not supported", a.Name, names[0])
		}
	}
	want, known := attrFieldOfType[a.Type]
	if !known {
		return nil, fmt.Errorf("attribute %q has type %s, which is not supported", a.Name, attrTypeString(int32(a.Type)))
	}
	for _, f := range names {
		if f != want {
			return nil, fmt.Errorf("attribute %q is declared %v but holds %s", a.Name, a.Type, f)
		}
	}
	if len(names) == 0 && !isListAttr(a.Type) {
		return nil, fmt.Errorf("attribute %q is declared %v but has no value", a.Name, a.Type)
	}
	switch a.Type {
	case graph.AttrString:
		a.S = string(s)
	case graph.AttrTensor:
		tt, err := decodeTensor(newReader(t...))
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		a.T = tt
	case graph.AttrGraph:
		a.HasGraph = true
	case graph.AttrFloats, graph.AttrInts, graph.AttrStrings:
		if len(names) == 0 {
			break
		}
		for r = newReader(b); r.next(); {
			switch {
			case a.Type == graph.AttrFloats && r.num == attrFloats:
				if r.typ == protowire.Fixed32Type {
					a.Floats = append(a.Floats, math.Float32frombits(uint32(r.x)))
				} else if r.typ == protowire.BytesType {
					for v := r.v; len(v) >= 4; v = v[4:] {
						a.Floats = append(a.Floats, math.Float32frombits(binary.LittleEndian.Uint32(v)))
					}
				}
			case a.Type == graph.AttrInts && r.num == attrInts:
				r.varints(func(x uint64) { a.Ints = append(a.Ints, int64(x)) })
			case a.Type == graph.AttrStrings && r.is(attrStrings, protowire.BytesType):
				a.Strings = append(a.Strings, string(r.v))
			}
		}
	}
	if a.Type != graph.AttrFloat {
		a.F = 0
	}
	if a.Type != graph.AttrInt {
		a.I = 0
	}
	return a, nil
}

// attrFieldOfType names the value field each supported type uses.
var attrFieldOfType = map[graph.AttrType]string{
	graph.AttrFloat:   "f",
	graph.AttrInt:     "i",
	graph.AttrString:  "s",
	graph.AttrTensor:  "t",
	graph.AttrGraph:   "g",
	graph.AttrFloats:  "floats",
	graph.AttrInts:    "ints",
	graph.AttrStrings: "strings",
}

// attrTypeOfField is the inverse, for type inference; unsupported fields
// map to AttrUndefined.
var attrTypeOfField = map[string]graph.AttrType{
	"f": graph.AttrFloat, "i": graph.AttrInt, "s": graph.AttrString,
	"t": graph.AttrTensor, "g": graph.AttrGraph, "floats": graph.AttrFloats,
	"ints": graph.AttrInts, "strings": graph.AttrStrings,
}

func isListAttr(t graph.AttrType) bool {
	return t == graph.AttrFloats || t == graph.AttrInts || t == graph.AttrStrings
}

// attrTypeNames are onnx.proto's AttributeProto.AttributeType names.
var attrTypeNames = [...]string{
	"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS",
	"TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS",
}

// attrTypeString spells an AttributeType as protobuf's enum String does.
func attrTypeString(t int32) string {
	if t >= 0 && int(t) < len(attrTypeNames) {
		return attrTypeNames[t]
	}
	return strconv.Itoa(int(t))
}
