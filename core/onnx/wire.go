package onnx

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The decoder reads the protobuf wire format directly (protowire), without
// protobuf-go's reflection, which would add about 1.9 MB to the wasm. It
// works in two passes:
//
//  1. validateMessage walks the whole input against the ONNX schema below
//     and accepts exactly what proto.Unmarshal accepts for an
//     onnxpb.ModelProto: every known message field is parsed recursively
//     (also the ones fixq ignores, such as training_info or functions),
//     packed and unpacked repeated numbers, a field with an unexpected wire
//     type is skipped as unknown, unknown fields and groups are skipped
//     with protowire.ConsumeFieldValue, and messages nest at most
//     protowire.DefaultRecursionLimit deep. It allocates nothing.
//  2. The decode functions (decode.go, attr.go, tensor.go) read only the
//     fields fixq uses, straight from the input bytes, with protobuf's
//     merge rules: a scalar field seen twice keeps the last value, a
//     message field seen twice is merged (its occurrences read as one
//     message, see fieldReader), repeated fields concatenate, a oneof
//     keeps its last member.

// wireKind is how a schema field is encoded.
type wireKind uint8

const (
	wVarint  wireKind = iota + 1 // int32, int64, uint64, enum
	wFixed32                     // float
	wFixed64                     // double
	wBytes                       // string, bytes
	wMessage
)

type wireField struct {
	name     string
	kind     wireKind
	repeated bool
	msg      *wireMessage // for wMessage
}

// wireMessage is one message type of onnx.proto (ONNX 1.12, the schema
// onnxpb is generated from; TestWireSchemaMatchesOnnxpb compares the two).
type wireMessage struct {
	name   string
	fields map[protowire.Number]wireField
}

// accepts reports whether a field of kind f may arrive with wire type typ:
// its own, or length-delimited (packed) for a repeated number.
func (f wireField) accepts(typ protowire.Type) bool {
	switch f.kind {
	case wVarint:
		return typ == protowire.VarintType || (f.repeated && typ == protowire.BytesType)
	case wFixed32:
		return typ == protowire.Fixed32Type || (f.repeated && typ == protowire.BytesType)
	case wFixed64:
		return typ == protowire.Fixed64Type || (f.repeated && typ == protowire.BytesType)
	}
	return typ == protowire.BytesType
}

var (
	modelSchema, graphSchema, nodeSchema, attributeSchema, valueInfoSchema, tensorSchema,
	segmentSchema, sparseTensorSchema, opsetSchema, entrySchema, annotationSchema, trainingSchema,
	functionSchema, shapeSchema, dimensionSchema, typeSchema, typeTensorSchema, typeSequenceSchema,
	typeMapSchema, typeOptionalSchema, typeSparseSchema wireMessage
)

func init() {
	type f = wireField
	v := func(name string) f { return f{name: name, kind: wVarint} }
	vs := func(name string) f { return f{name: name, kind: wVarint, repeated: true} }
	s := func(name string) f { return f{name: name, kind: wBytes} }
	ss := func(name string) f { return f{name: name, kind: wBytes, repeated: true} }
	m := func(name string, msg *wireMessage) f { return f{name: name, kind: wMessage, msg: msg} }
	ms := func(name string, msg *wireMessage) f { return f{name: name, kind: wMessage, repeated: true, msg: msg} }
	def := func(w *wireMessage, name string, fields map[protowire.Number]wireField) {
		w.name, w.fields = name, fields
	}
	def(&modelSchema, "ModelProto", map[protowire.Number]f{
		1: v("ir_version"), 2: s("producer_name"), 3: s("producer_version"), 4: s("domain"),
		5: v("model_version"), 6: s("doc_string"), 7: m("graph", &graphSchema),
		8: ms("opset_import", &opsetSchema), 14: ms("metadata_props", &entrySchema),
		20: ms("training_info", &trainingSchema), 25: ms("functions", &functionSchema),
	})
	def(&opsetSchema, "OperatorSetIdProto", map[protowire.Number]f{1: s("domain"), 2: v("version")})
	def(&entrySchema, "StringStringEntryProto", map[protowire.Number]f{1: s("key"), 2: s("value")})
	def(&trainingSchema, "TrainingInfoProto", map[protowire.Number]f{
		1: m("initialization", &graphSchema), 2: m("algorithm", &graphSchema),
		3: ms("initialization_binding", &entrySchema), 4: ms("update_binding", &entrySchema),
	})
	def(&functionSchema, "FunctionProto", map[protowire.Number]f{
		1: s("name"), 4: ss("input"), 5: ss("output"), 6: ss("attribute"), 7: ms("node", &nodeSchema),
		8: s("doc_string"), 9: ms("opset_import", &opsetSchema), 10: s("domain"),
	})
	def(&graphSchema, "GraphProto", map[protowire.Number]f{
		1: ms("node", &nodeSchema), 2: s("name"), 5: ms("initializer", &tensorSchema),
		15: ms("sparse_initializer", &sparseTensorSchema), 10: s("doc_string"),
		11: ms("input", &valueInfoSchema), 12: ms("output", &valueInfoSchema), 13: ms("value_info", &valueInfoSchema),
		14: ms("quantization_annotation", &annotationSchema),
	})
	def(&annotationSchema, "TensorAnnotation", map[protowire.Number]f{
		1: s("tensor_name"), 2: ms("quant_parameter_tensor_names", &entrySchema),
	})
	def(&nodeSchema, "NodeProto", map[protowire.Number]f{
		1: ss("input"), 2: ss("output"), 3: s("name"), 4: s("op_type"), 7: s("domain"),
		5: ms("attribute", &attributeSchema), 6: s("doc_string"),
	})
	def(&attributeSchema, "AttributeProto", map[protowire.Number]f{
		1: s("name"), 21: s("ref_attr_name"), 13: s("doc_string"), 20: v("type"),
		2: {name: "f", kind: wFixed32}, 3: v("i"), 4: s("s"), 5: m("t", &tensorSchema), 6: m("g", &graphSchema),
		22: m("sparse_tensor", &sparseTensorSchema), 14: m("tp", &typeSchema),
		7: {name: "floats", kind: wFixed32, repeated: true}, 8: vs("ints"), 9: ss("strings"),
		10: ms("tensors", &tensorSchema), 11: ms("graphs", &graphSchema),
		23: ms("sparse_tensors", &sparseTensorSchema), 15: ms("type_protos", &typeSchema),
	})
	def(&valueInfoSchema, "ValueInfoProto", map[protowire.Number]f{
		1: s("name"), 2: m("type", &typeSchema), 3: s("doc_string"),
	})
	def(&tensorSchema, "TensorProto", map[protowire.Number]f{
		1: vs("dims"), 2: v("data_type"), 3: m("segment", &segmentSchema),
		4: {name: "float_data", kind: wFixed32, repeated: true}, 5: vs("int32_data"), 6: ss("string_data"),
		7: vs("int64_data"), 8: s("name"), 12: s("doc_string"), 9: s("raw_data"),
		13: ms("external_data", &entrySchema), 14: v("data_location"),
		10: {name: "double_data", kind: wFixed64, repeated: true}, 11: vs("uint64_data"),
	})
	def(&segmentSchema, "TensorProto.Segment", map[protowire.Number]f{1: v("begin"), 2: v("end")})
	def(&sparseTensorSchema, "SparseTensorProto", map[protowire.Number]f{
		1: m("values", &tensorSchema), 2: m("indices", &tensorSchema), 3: vs("dims"),
	})
	def(&shapeSchema, "TensorShapeProto", map[protowire.Number]f{1: ms("dim", &dimensionSchema)})
	def(&dimensionSchema, "TensorShapeProto.Dimension", map[protowire.Number]f{
		1: v("dim_value"), 2: s("dim_param"), 3: s("denotation"),
	})
	def(&typeSchema, "TypeProto", map[protowire.Number]f{
		1: m("tensor_type", &typeTensorSchema), 4: m("sequence_type", &typeSequenceSchema),
		5: m("map_type", &typeMapSchema), 9: m("optional_type", &typeOptionalSchema),
		8: m("sparse_tensor_type", &typeSparseSchema), 6: s("denotation"),
	})
	def(&typeTensorSchema, "TypeProto.Tensor", map[protowire.Number]f{1: v("elem_type"), 2: m("shape", &shapeSchema)})
	def(&typeSequenceSchema, "TypeProto.Sequence", map[protowire.Number]f{1: m("elem_type", &typeSchema)})
	def(&typeMapSchema, "TypeProto.Map", map[protowire.Number]f{1: v("key_type"), 2: m("value_type", &typeSchema)})
	def(&typeOptionalSchema, "TypeProto.Optional", map[protowire.Number]f{1: m("elem_type", &typeSchema)})
	def(&typeSparseSchema, "TypeProto.SparseTensor", map[protowire.Number]f{1: v("elem_type"), 2: m("shape", &shapeSchema)})
}

// maxDepth is how deep messages may nest, counting the outermost one
// (protobuf-go's default recursion limit).
const maxDepth = protowire.DefaultRecursionLimit

var errDepth = errors.New("exceeded maximum recursion depth")

// wireError locates a wire-format error: the message type, the field path
// from it down to the fault, and protowire's description.
type wireError struct {
	msg  string
	path []string // innermost field first
	err  error
}

func (e *wireError) Error() string {
	s := "cannot parse invalid wire-format data in " + e.msg
	for i := len(e.path) - 1; i >= 0; i-- {
		s += "." + e.path[i]
	}
	return s + ": " + e.err.Error()
}

// validateMessage checks that b is a well-formed message of type w (see
// the two passes above); depth counts w itself.
func validateMessage(b []byte, w *wireMessage, depth int) error {
	if depth > maxDepth {
		return &wireError{msg: w.name, err: errDepth}
	}
	fail := func(f wireField, num protowire.Number, err error) error {
		name := f.name
		if name == "" {
			name = fmt.Sprintf("field %d", num)
		}
		return &wireError{msg: w.name, path: []string{name}, err: err}
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return &wireError{msg: w.name, err: protowire.ParseError(n)}
		}
		if num > protowire.MaxValidNumber {
			return &wireError{msg: w.name, err: fmt.Errorf("invalid field number %d", num)}
		}
		b = b[n:]
		f, known := w.fields[num]
		if typ == protowire.EndGroupType || !known || !f.accepts(typ) {
			// Unknown, or a known field with another wire type: protobuf
			// skips it as an unknown field.
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return fail(wireField{}, num, protowire.ParseError(n))
			}
			b = b[n:]
			continue
		}
		switch typ {
		case protowire.VarintType:
			_, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			_, n = protowire.ConsumeFixed32(b)
		case protowire.Fixed64Type:
			_, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			var v []byte
			v, n = protowire.ConsumeBytes(b)
			if n < 0 {
				break
			}
			switch f.kind {
			case wMessage:
				if err := validateMessage(v, f.msg, depth+1); err != nil {
					if we, ok := err.(*wireError); ok && we.msg == f.msg.name {
						we.msg, we.path = w.name, append(we.path, f.name)
					}
					return err
				}
			case wVarint:
				if _, err := countVarints(v); err != nil {
					return fail(f, num, err)
				}
			case wFixed32:
				if len(v)%4 != 0 {
					return fail(f, num, fmt.Errorf("packed fixed32 data of %d bytes", len(v)))
				}
			case wFixed64:
				if len(v)%8 != 0 {
					return fail(f, num, fmt.Errorf("packed fixed64 data of %d bytes", len(v)))
				}
			}
		}
		if n < 0 {
			return fail(f, num, protowire.ParseError(n))
		}
		b = b[n:]
	}
	return nil
}

// countVarints counts the varints of a packed field.
func countVarints(b []byte) (int, error) {
	k := 0
	for len(b) > 0 {
		_, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		k++
	}
	return k, nil
}

// fieldReader iterates over the fields of one message given as one or more
// chunks: the occurrences of a message field, which protobuf merges as if
// they were one message (concatenation). Call next until it returns false,
// then check err. Groups are skipped.
type fieldReader struct {
	chunks [][]byte
	b      []byte
	num    protowire.Number
	typ    protowire.Type
	v      []byte // BytesType: the payload
	x      uint64 // VarintType, Fixed32Type, Fixed64Type: the value
	err    error
}

func newReader(chunks ...[]byte) fieldReader { return fieldReader{chunks: chunks} }

func (r *fieldReader) next() bool {
	for {
		for len(r.b) == 0 {
			if len(r.chunks) == 0 || r.err != nil {
				return false
			}
			r.b, r.chunks = r.chunks[0], r.chunks[1:]
		}
		num, typ, n := protowire.ConsumeTag(r.b)
		if n < 0 {
			r.err = protowire.ParseError(n)
			return false
		}
		r.b = r.b[n:]
		r.num, r.typ, r.v, r.x = num, typ, nil, 0
		switch typ {
		case protowire.VarintType:
			r.x, n = protowire.ConsumeVarint(r.b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(r.b)
			r.x = uint64(x)
		case protowire.Fixed64Type:
			r.x, n = protowire.ConsumeFixed64(r.b)
		case protowire.BytesType:
			r.v, n = protowire.ConsumeBytes(r.b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, r.b)
		}
		if n < 0 {
			r.err = protowire.ParseError(n)
			return false
		}
		r.b = r.b[n:]
		if typ == protowire.StartGroupType {
			continue
		}
		return true
	}
}

// is reports whether the current field is number num with wire type typ.
func (r *fieldReader) is(num protowire.Number, typ protowire.Type) bool {
	return r.num == num && r.typ == typ
}

// count is the number of values the current field adds to a repeated
// number field of the given kind (packed or not), or 0 if its wire type
// does not fit.
func (r *fieldReader) count(kind wireKind) int {
	switch {
	case r.typ == protowire.BytesType:
		switch kind {
		case wVarint:
			k, _ := countVarints(r.v)
			return k
		case wFixed32:
			return len(r.v) / 4
		case wFixed64:
			return len(r.v) / 8
		}
	case kind == wVarint && r.typ == protowire.VarintType,
		kind == wFixed32 && r.typ == protowire.Fixed32Type,
		kind == wFixed64 && r.typ == protowire.Fixed64Type:
		return 1
	}
	return 0
}

// varints calls fn for each value the current field adds to a repeated
// varint field.
func (r *fieldReader) varints(fn func(uint64)) {
	switch r.typ {
	case protowire.VarintType:
		fn(r.x)
	case protowire.BytesType:
		for b := r.v; len(b) > 0; {
			x, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return
			}
			fn(x)
			b = b[n:]
		}
	}
}
