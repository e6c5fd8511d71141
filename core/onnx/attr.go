package onnx

import (
	"fmt"
	"strings"

	"fixq/core/graph"
	"fixq/core/onnx/onnxpb"
)

// attrFromProto converts one attribute. The declared type must match the
// one value field that is set (as onnx.checker requires); an attribute
// that declares one type and holds another is an error, not a zero value.
func attrFromProto(ap *onnxpb.AttributeProto) (*graph.Attr, error) {
	a := &graph.Attr{Name: ap.GetName(), Type: graph.AttrType(ap.GetType())}
	if a.Name == "" {
		return nil, fmt.Errorf("an attribute has no name")
	}
	if ap.GetRefAttrName() != "" {
		return nil, fmt.Errorf("attribute %q refers to a function attribute, which is not supported", a.Name)
	}
	present := attrFieldsPresent(ap)
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

// attrFieldsPresent lists the value fields set in ap, in proto order.
func attrFieldsPresent(ap *onnxpb.AttributeProto) []string {
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
