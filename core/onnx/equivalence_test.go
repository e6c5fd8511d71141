package onnx

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"fixq/core/graph"
	"fixq/core/onnx/onnxpb"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// The production decoder and encoder (protowire) against the reference
// path (protobuf-go + onnxpb, reference_test.go): same acceptance, same
// graph.Model, same error text for every error that is not a wire-format
// error, and the same bytes.

// deepDiff describes the first difference between a and b ("" if none).
// It is reflect.DeepEqual (nil and empty slices differ) except that
// floats compare by bits, so NaN equals NaN.
func deepDiff(a, b any) string {
	return diffValues("", reflect.ValueOf(a), reflect.ValueOf(b))
}

func diffValues(path string, a, b reflect.Value) string {
	if a.IsValid() != b.IsValid() || (a.IsValid() && a.Type() != b.Type()) {
		return path + ": kinds differ"
	}
	if !a.IsValid() {
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return diffValues(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := diffValues(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diffValues(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d vs %d entries", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s[%v]: missing", path, k)
			}
			if d := diffValues(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), bv); d != "" {
				return d
			}
		}
		return ""
	case reflect.Float32, reflect.Float64:
		if math.Float64bits(a.Float()) != math.Float64bits(b.Float()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Float(), b.Float())
		}
		return ""
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: %q vs %q", path, a.String(), b.String())
		}
		return ""
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: %v vs %v", path, a.Bool(), b.Bool())
		}
		return ""
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Int(), b.Int())
		}
		return ""
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Uint(), b.Uint())
		}
		return ""
	}
	return path + ": cannot compare kind " + a.Kind().String()
}

const wirePrefix = "onnx: not a valid ONNX model (protobuf:"

// sameErrors compares two errors: both nil, both wire-format errors
// (whose text differs between protobuf-go and protowire), or the same text.
func sameErrors(err, ref error, wire string) string {
	switch {
	case (err == nil) != (ref == nil):
		return fmt.Sprintf("error %v, reference error %v", err, ref)
	case err == nil:
		return ""
	case strings.HasPrefix(ref.Error(), wire) && strings.HasPrefix(err.Error(), wire):
		return ""
	case err.Error() != ref.Error():
		return fmt.Sprintf("error %q, reference error %q", err, ref)
	}
	return ""
}

// diffDecode decodes b both ways and describes the first difference.
func diffDecode(b []byte) (m *graph.Model, diff string) {
	m, err := DecodeBytes(b)
	rm, rerr := refDecodeBytes(b)
	if d := sameErrors(err, rerr, wirePrefix); d != "" {
		return nil, "decode: " + d
	}
	if err != nil {
		return nil, ""
	}
	if d := deepDiff(m, rm); d != "" {
		return nil, "decoded models differ at Model" + d
	}
	return m, ""
}

// diffEncode encodes m both ways and describes the first difference.
func diffEncode(m *graph.Model) string {
	enc, err := EncodeBytes(m)
	ref, rerr := refEncodeBytes(m)
	if d := sameErrors(err, rerr, "\x00"); d != "" {
		return "encode: " + d
	}
	if err != nil {
		return ""
	}
	var got onnxpb.ModelProto
	if err := proto.Unmarshal(enc, &got); err != nil {
		return "encoded bytes do not parse with proto.Unmarshal: " + err.Error()
	}
	want, err := refToProto(m)
	if err != nil {
		return "refToProto: " + err.Error()
	}
	if !proto.Equal(&got, want) {
		return "proto.Unmarshal of the encoded bytes is not proto.Equal to the reference ModelProto"
	}
	if !bytes.Equal(enc, ref) {
		i := 0
		for i < len(enc) && i < len(ref) && enc[i] == ref[i] {
			i++
		}
		return fmt.Sprintf("encoded bytes differ from proto.Marshal's (%d vs %d bytes, first difference at %d)", len(enc), len(ref), i)
	}
	return ""
}

// TestEquivalentRealModels: the pretrained models decode to the same
// graph.Model both ways and encode to the same bytes.
func TestEquivalentRealModels(t *testing.T) {
	for _, rm := range realModels {
		b, err := os.ReadFile(testassets.Model(t, rm.rel))
		if err != nil {
			t.Fatal(err)
		}
		m, d := diffDecode(b)
		if d != "" {
			t.Errorf("%s: %s", rm.rel, d)
			continue
		}
		if m == nil {
			t.Errorf("%s: does not decode", rm.rel)
			continue
		}
		if d := diffEncode(m); d != "" {
			t.Errorf("%s: %s", rm.rel, d)
		}
	}
}

// TestEquivalentTestSuite: every model.onnx and every TensorProto .pb of
// the ONNX backend test data.
func TestEquivalentTestSuite(t *testing.T) {
	decoded, refused, encoded := 0, 0, 0
	for _, f := range testSuiteModels(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, d := diffDecode(b)
		if d != "" {
			t.Errorf("%s: %s", f, d)
			continue
		}
		if m == nil {
			refused++
			continue
		}
		decoded++
		if d := diffEncode(m); d != "" {
			t.Errorf("%s: %s", f, d)
		} else if _, err := EncodeBytes(m); err == nil {
			encoded++
		}
	}
	pbs, err := filepath.Glob(filepath.Join(testassets.ONNXTestData(t), "*", "*", "test_data_set_*", "*.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pbs) < 3000 {
		t.Fatalf("found only %d .pb files", len(pbs))
	}
	tensors := 0
	for _, f := range pbs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		x, err := DecodeTensor(b)
		rx, rerr := refDecodeTensor(b)
		if d := sameErrors(err, rerr, "onnx: not a valid TensorProto (protobuf:"); d != "" {
			t.Errorf("%s: %s", f, d)
			continue
		}
		if err == nil {
			tensors++
			if d := deepDiff(x, rx); d != "" {
				t.Errorf("%s: tensors differ at Tensor%s", f, d)
			}
			// EncodeTensor writes what proto.Marshal writes for the
			// reference TensorProto, and it decodes to the same tensor.
			name := filepath.Base(f)
			enc, err := EncodeTensor(name, x)
			tp, rerr := refTensorToProto(name, x)
			if err != nil || rerr != nil {
				t.Errorf("%s: EncodeTensor: %v, reference %v", f, err, rerr)
				continue
			}
			if ref, _ := proto.Marshal(tp); !bytes.Equal(enc, ref) {
				t.Errorf("%s: EncodeTensor bytes differ from proto.Marshal's", f)
			}
			if y, err := DecodeTensor(enc); err != nil || deepDiff(x, y) != "" {
				t.Errorf("%s: EncodeTensor output does not decode to the same tensor (%v)", f, err)
			}
		}
	}
	t.Logf("models: %d decoded (%d re-encoded), %d refused alike; tensors: %d of %d decoded", decoded, encoded, refused, tensors, len(pbs))
	if decoded < 1000 || tensors < 2500 {
		t.Errorf("too few decoded: %d models, %d tensors", decoded, tensors)
	}
}

// TestEquivalentEncodeEdgeCases encodes models with what the test suite
// rarely has: every dtype, empty and scalar tensors, symbolic and unknown
// dims, unknown rank, empty strings, IR 3, attributes without AttrOrder.
func TestEquivalentEncodeEdgeCases(t *testing.T) {
	mk := func(dt tensor.DType, shape ...int) *tensor.Tensor {
		x, err := tensor.New(dt, shape...)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < x.Len(); i++ {
			switch dt {
			case tensor.Float32:
				x.F32[i] = float32(i) - 1.5
			case tensor.Int64:
				x.I64[i] = int64(i) - 1<<40
			case tensor.Int32:
				x.I32[i] = int32(i) - 7
			case tensor.Int8:
				x.I8[i] = int8(i - 3)
			case tensor.Uint8:
				x.U8[i] = uint8(250 + i)
			case tensor.Bool:
				x.B[i] = i%2 == 1
			}
		}
		return x
	}
	build := func(ir int64) *graph.Model {
		g := &graph.Graph{Name: ""}
		g.SetInitializer("f", mk(tensor.Float32, 2, 3))
		g.SetInitializer("i64", mk(tensor.Int64, 3))
		g.SetInitializer("i32", mk(tensor.Int32, 1, 2))
		g.SetInitializer("i8", mk(tensor.Int8, 5))
		g.SetInitializer("u8", mk(tensor.Uint8, 4))
		g.SetInitializer("b", mk(tensor.Bool, 3))
		g.SetInitializer("scalar", mk(tensor.Float32))
		g.SetInitializer("empty", mk(tensor.Float32, 0, 4))
		g.Inputs = []graph.ValueInfo{
			{Name: "x", DType: tensor.Float32, Shape: []graph.Dim{{Value: -1, Param: "N"}, {Value: 3}, {Value: -1}, {Value: 0}}},
			{Name: "unknown_rank", DType: tensor.Float32},
			{Name: "scalar_in", DType: tensor.Int64, Shape: []graph.Dim{}},
			{Name: "untyped"},
		}
		g.Outputs = []graph.ValueInfo{{Name: "y", DType: tensor.Float32, Shape: []graph.Dim{{Value: 1 << 40}}}}
		g.ValueInfo = []graph.ValueInfo{{Name: "h", Shape: []graph.Dim{{Value: -5, Param: ""}}}}
		n := &graph.Node{Name: "n", OpType: "Custom", Domain: "com.example", DocString: "doc",
			Inputs: []string{"x", "", "f"}, Outputs: []string{"y"}}
		n.SetAttr(&graph.Attr{Name: "f", Type: graph.AttrFloat, F: float32(math.Inf(-1))})
		n.SetAttr(&graph.Attr{Name: "nan", Type: graph.AttrFloat, F: float32(math.NaN())})
		n.SetAttr(&graph.Attr{Name: "i", Type: graph.AttrInt, I: -1})
		n.SetAttr(&graph.Attr{Name: "s", Type: graph.AttrString, S: ""})
		n.SetAttr(&graph.Attr{Name: "s2", Type: graph.AttrString, S: "héllo\x00"})
		n.SetAttr(&graph.Attr{Name: "t", Type: graph.AttrTensor, T: mk(tensor.Int8, 2, 2)})
		n.SetAttr(&graph.Attr{Name: "floats", Type: graph.AttrFloats, Floats: []float32{1, -0.0, 3.5}})
		n.SetAttr(&graph.Attr{Name: "no_floats", Type: graph.AttrFloats})
		n.SetAttr(&graph.Attr{Name: "ints", Type: graph.AttrInts, Ints: []int64{-1, 0, 1 << 62}})
		n.SetAttr(&graph.Attr{Name: "strings", Type: graph.AttrStrings, Strings: []string{"", "a"}})
		// Attributes without AttrOrder are written sorted by name.
		n2 := &graph.Node{Name: "", OpType: "Relu", Inputs: []string{"y"}, Outputs: []string{"z"},
			Attrs: map[string]*graph.Attr{"b": {Name: "b", Type: graph.AttrInt, I: 2}, "a": {Name: "a", Type: graph.AttrInt, I: 1}, "nil": nil}}
		g.Nodes = []*graph.Node{n, n2}
		return &graph.Model{IRVersion: ir, ProducerName: "p", ProducerVersion: "", Domain: "d", ModelVersion: -3,
			DocString: "", Opsets: map[string]int64{"": 13, "com.example": 1, "a": 2},
			Metadata: map[string]string{"k2": "v", "k1": ""}, Graph: g}
	}
	for _, ir := range []int64{0, 3, 4, 8, -1} {
		if d := diffEncode(build(ir)); d != "" {
			t.Errorf("IR %d: %s", ir, d)
		}
	}
	// Errors: the same text both ways.
	bad := map[string]func(m *graph.Model){
		"graph attribute": func(m *graph.Model) {
			m.Graph.Nodes[0].SetAttr(&graph.Attr{Name: "body", Type: graph.AttrGraph, HasGraph: true})
		},
		"undefined attribute":   func(m *graph.Model) { m.Graph.Nodes[1].Attrs["b"].Type = graph.AttrUndefined },
		"short initializer":     func(m *graph.Model) { m.Graph.Initializers["f"].F32 = m.Graph.Initializers["f"].F32[:5] },
		"nil initializer":       func(m *graph.Model) { m.Graph.Initializers["u8"] = nil },
		"bad attribute tensor":  func(m *graph.Model) { m.Graph.Nodes[0].Attrs["t"].T.Shape = []int{3} },
		"nil attribute tensor":  func(m *graph.Model) { m.Graph.Nodes[0].Attrs["t"].T = nil },
		"bad node and bad init": func(m *graph.Model) { m.Graph.Nodes[0].Attrs["t"].T = nil; m.Graph.Initializers["u8"] = nil },
		"no graph":              func(m *graph.Model) { m.Graph = nil },
	}
	for name, mutate := range bad {
		m := build(8)
		mutate(m)
		if _, err := EncodeBytes(m); err == nil {
			t.Errorf("%s: encoded", name)
		}
		if d := diffEncode(m); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
	if _, err := EncodeBytes(nil); err == nil {
		t.Error("nil model encoded")
	}
}

// Helpers to write protobuf by hand.
func fBytes(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}
func fVarint(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}
func fFixed32(b []byte, num protowire.Number, v uint32) []byte {
	return protowire.AppendFixed32(protowire.AppendTag(b, num, protowire.Fixed32Type), v)
}

// withGraph returns the small model with extra bytes appended to its
// GraphProto (merged into it, as protobuf merges a repeated message field).
func withGraph(t *testing.T, extra []byte) []byte {
	return append(marshal(t, smallModel()), fBytes(nil, 7, extra)...)
}

// node builds a NodeProto.
func nodeBytes(name, op string, in, out []string, attrs ...[]byte) []byte {
	var b []byte
	for _, s := range in {
		b = fBytes(b, 1, []byte(s))
	}
	for _, s := range out {
		b = fBytes(b, 2, []byte(s))
	}
	b = fBytes(b, 3, []byte(name))
	b = fBytes(b, 4, []byte(op))
	for _, a := range attrs {
		b = fBytes(b, 5, a)
	}
	return b
}

// wireCases are hand-written inputs for protobuf's corner cases: merged
// messages, oneofs, packed and unpacked numbers, unknown fields and wire
// types, field numbers, enum values out of range, nesting depth.
func wireCases(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	good := marshal(t, smallModel())
	out["model twice"] = append(bytes.Clone(good), good...)
	out["ir_version replaced"] = fVarint(bytes.Clone(good), 1, 7)
	out["ir_version 2^63"] = fVarint(bytes.Clone(good), 1, 1<<63)
	out["graph name replaced"] = withGraph(t, fBytes(nil, 2, []byte("other")))
	out["graph empty merge"] = withGraph(t, nil)
	out["graph name invalid utf8"] = withGraph(t, fBytes(nil, 2, []byte{0xff, 'g'}))
	out["node names invalid utf8"] = withGraph(t, fBytes(nil, 1, nodeBytes("\xff", "Relu", []string{"y"}, []string{"\xfe"})))
	out["graph only, no ir"] = fBytes(nil, 7, nil)
	out["extra node merged"] = withGraph(t, fBytes(nil, 1, nodeBytes("r2", "Relu", []string{"y"}, []string{"z"})))
	// Attributes.
	attr := func(fields ...[]byte) []byte { return bytes.Join(fields, nil) }
	name := func(s string) []byte { return fBytes(nil, 1, []byte(s)) }
	typ := func(v int64) []byte { return fVarint(nil, 20, uint64(v)) }
	addAttr := func(key string, a ...[]byte) {
		out["attr "+key] = withGraph(t, fBytes(nil, 1, nodeBytes("c_"+strings.ReplaceAll(key, " ", "_"), "Custom", []string{"y"}, []string{"o"}, a...)))
	}
	packedInts := protowire.AppendVarint(protowire.AppendVarint(nil, 3), 1<<63)
	addAttr("ints packed", attr(name("a"), typ(7), fBytes(nil, 8, packedInts)))
	addAttr("ints mixed", attr(name("a"), typ(7), fVarint(nil, 8, 5), fBytes(nil, 8, packedInts), fVarint(nil, 8, 1)))
	addAttr("ints empty packed", attr(name("a"), typ(7), fBytes(nil, 8, nil)))
	addAttr("ints empty packed untyped", attr(name("a"), fBytes(nil, 8, nil)))
	addAttr("ints packed truncated", attr(name("a"), typ(7), fBytes(nil, 8, []byte{0x80})))
	addAttr("floats packed", attr(name("a"), typ(6), fBytes(nil, 7, []byte{0, 0, 128, 63, 0, 0, 192, 127})))
	addAttr("floats packed ragged", attr(name("a"), typ(6), fBytes(nil, 7, []byte{0, 0, 128, 63, 0})))
	addAttr("floats mixed", attr(name("a"), fFixed32(nil, 7, 0x3f800000), fBytes(nil, 7, []byte{1, 2, 3, 4})))
	addAttr("f twice", attr(name("a"), typ(1), fFixed32(nil, 2, 1), fFixed32(nil, 2, 0x7fc00001)))
	addAttr("f as varint", attr(name("a"), typ(1), fVarint(nil, 2, 1)))
	addAttr("f as varint untyped", attr(name("a"), fVarint(nil, 2, 1), fVarint(nil, 3, 9)))
	addAttr("i as bytes", attr(name("a"), typ(2), fBytes(nil, 3, []byte{1})))
	addAttr("s empty", attr(name("a"), typ(3), fBytes(nil, 4, nil)))
	addAttr("s twice", attr(name("a"), typ(3), fBytes(nil, 4, []byte("x")), fBytes(nil, 4, []byte("yz"))))
	addAttr("s invalid utf8", attr(name("a"), typ(3), fBytes(nil, 4, []byte{0xff, 0xfe})))
	addAttr("type 99", attr(name("a"), typ(99), fVarint(nil, 3, 1)))
	addAttr("type -1", attr(name("a"), typ(-1), fVarint(nil, 3, 1)))
	addAttr("type 2^32+2", attr(name("a"), typ(1<<32+2), fVarint(nil, 3, 1)))
	addAttr("type graph", attr(name("a"), typ(5), fBytes(nil, 6, nil)))
	addAttr("graph untyped", attr(name("a"), fBytes(nil, 6, fBytes(nil, 2, []byte("body")))))
	addAttr("graph invalid inside", attr(name("a"), typ(5), fBytes(nil, 6, fBytes(nil, 1, []byte{0x0a, 0x05}))))
	addAttr("sparse tensor", attr(name("a"), typ(11), fBytes(nil, 22, nil)))
	addAttr("tp", attr(name("a"), fBytes(nil, 14, nil)))
	addAttr("type protos", attr(name("a"), typ(14), fBytes(nil, 15, nil)))
	addAttr("ref_attr_name", attr(name("a"), typ(2), fVarint(nil, 3, 1), fBytes(nil, 21, []byte("outer"))))
	addAttr("ref_attr_name empty", attr(name("a"), typ(2), fVarint(nil, 3, 1), fBytes(nil, 21, nil)))
	addAttr("no name", attr(typ(2), fVarint(nil, 3, 1)))
	addAttr("name twice", attr(name("a"), name("b"), typ(2), fVarint(nil, 3, 1)), attr(name("a"), typ(2), fVarint(nil, 3, 1)))
	addAttr("strings", attr(name("a"), typ(8), fBytes(nil, 9, nil), fBytes(nil, 9, []byte("q"))))
	// Tensor attributes: t merged from two occurrences, typed data packed
	// and unpacked, raw_data replaced.
	dims := fBytes(nil, 1, protowire.AppendVarint(protowire.AppendVarint(nil, 2), 2))
	f32 := fVarint(nil, 2, 1)
	t1 := fBytes(nil, 5, bytes.Join([][]byte{dims, f32}, nil))
	t2 := fBytes(nil, 5, fBytes(nil, 4, make([]byte, 16)))
	addAttr("t merged", attr(name("value"), typ(4), t1, t2))
	addAttr("t float_data unpacked", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{
		fVarint(nil, 1, 3), f32, fFixed32(nil, 4, 1), fBytes(nil, 4, []byte{0, 0, 0, 64}), fFixed32(nil, 4, 0xffffffff)}, nil))))
	addAttr("t raw twice", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{
		fVarint(nil, 1, 2), f32, fBytes(nil, 9, []byte{1}), fBytes(nil, 9, make([]byte, 8))}, nil))))
	addAttr("t empty raw", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{fVarint(nil, 1, 0), f32, fBytes(nil, 9, nil)}, nil))))
	addAttr("t data_type 2^32+1", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{fVarint(nil, 2, 1<<32+1), fBytes(nil, 9, make([]byte, 4))}, nil))))
	addAttr("t data_type -1", attr(name("value"), typ(4), fBytes(nil, 5, fVarint(nil, 2, math.MaxUint64))))
	addAttr("t data_type 17", attr(name("value"), typ(4), fBytes(nil, 5, fVarint(nil, 2, 17))))
	for _, dt := range []uint64{2, 3, 6, 9} { // uint8, int8, int32, bool from int32_data
		addAttr(fmt.Sprintf("t int32_data dtype %d", dt), attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{
			fVarint(nil, 1, 4), fVarint(nil, 2, dt), fVarint(nil, 5, 300), fVarint(nil, 5, math.MaxUint64),
			fBytes(nil, 5, protowire.AppendVarint(protowire.AppendVarint(nil, 1<<31), 2))}, nil))))
	}
	addAttr("t int64_data", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{
		fVarint(nil, 1, 3), fVarint(nil, 2, 7), fVarint(nil, 7, 1<<63), fBytes(nil, 7, protowire.AppendVarint(protowire.AppendVarint(nil, 5), 6))}, nil))))
	addAttr("t dims as fixed32", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{fFixed32(nil, 1, 7), f32, fBytes(nil, 9, make([]byte, 4))}, nil))))
	addAttr("t segment", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{f32, fBytes(nil, 3, nil), fBytes(nil, 9, make([]byte, 4))}, nil))))
	addAttr("t data_location 1", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{f32, fVarint(nil, 14, 1)}, nil))))
	addAttr("t data_location 7", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{f32, fVarint(nil, 14, 7), fBytes(nil, 9, make([]byte, 4))}, nil))))
	addAttr("t external empty", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{f32, fBytes(nil, 13, nil)}, nil))))
	addAttr("t double packed ragged", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{f32, fBytes(nil, 10, make([]byte, 9))}, nil))))
	addAttr("t string_data", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{fVarint(nil, 2, 8), fBytes(nil, 6, []byte("s"))}, nil))))
	addAttr("t negative dim", attr(name("value"), typ(4), fBytes(nil, 5, bytes.Join([][]byte{fVarint(nil, 1, 2), fVarint(nil, 1, math.MaxUint64), f32}, nil))))
	// Value infos: the TypeProto oneof and the Dimension oneof.
	tensorType := func(elem uint64, dims ...[]byte) []byte {
		var sh []byte
		for _, d := range dims {
			sh = fBytes(sh, 1, d)
		}
		return fBytes(nil, 1, bytes.Join([][]byte{fVarint(nil, 1, elem), fBytes(nil, 2, sh)}, nil))
	}
	addVI := func(key string, typeFields ...[]byte) {
		vi := fBytes(nil, 1, []byte("vi"))
		for _, tf := range typeFields {
			vi = fBytes(vi, 2, tf)
		}
		out["value_info "+key] = withGraph(t, fBytes(nil, 13, vi))
	}
	dv := func(v uint64) []byte { return fVarint(nil, 1, v) }
	dp := func(s string) []byte { return fBytes(nil, 2, []byte(s)) }
	seq := fBytes(nil, 4, nil)
	addVI("tensor", tensorType(1, dv(2), dp("N"), nil, bytes.Join([][]byte{dv(3), dp("M")}, nil), bytes.Join([][]byte{dp("M"), dv(3)}, nil), dv(math.MaxUint64)))
	addVI("no shape", fBytes(nil, 1, fVarint(nil, 1, 1)))
	addVI("empty shape", tensorType(1))
	addVI("shape merged", bytes.Join([][]byte{tensorType(1, dv(1)), tensorType(2, dv(5))}, nil))
	addVI("type fields merged", tensorType(1, dv(1)), tensorType(3, dp("K")))
	addVI("tensor then sequence", bytes.Join([][]byte{tensorType(1, dv(1)), seq}, nil))
	addVI("sequence then tensor", bytes.Join([][]byte{seq, tensorType(1, dv(1))}, nil))
	addVI("tensor, sequence, tensor", bytes.Join([][]byte{tensorType(1, dv(1)), seq, tensorType(2, dv(7))}, nil))
	addVI("sequence in another type field", seq, tensorType(1, dv(1)))
	addVI("empty type", nil)
	addVI("denotation only", fBytes(nil, 6, []byte("IMAGE")))
	addVI("tensor as varint", fVarint(nil, 1, 1))
	addVI("optional", fBytes(nil, 9, nil))
	addVI("sparse", fBytes(nil, 8, nil))
	addVI("map", fBytes(nil, 5, fVarint(nil, 1, 7)))
	addVI("elem_type 2^32+1", tensorType(1<<32+1, dv(1)))
	// Unknown fields and wire types, in several messages.
	unknown := bytes.Join([][]byte{
		fVarint(nil, 1000, 1), fFixed32(nil, 1001, 2), protowire.AppendFixed64(protowire.AppendTag(nil, 1002, protowire.Fixed64Type), 3),
		fBytes(nil, 1003, []byte("junk")),
		protowire.AppendTag(fVarint(protowire.AppendTag(nil, 1004, protowire.StartGroupType), 1, 5), 1004, protowire.EndGroupType),
		fVarint(nil, protowire.MaxValidNumber, 1),
	}, nil)
	out["unknown in model"] = append(bytes.Clone(good), unknown...)
	out["unknown in graph"] = withGraph(t, unknown)
	out["unknown in node"] = withGraph(t, fBytes(nil, 1, append(nodeBytes("u", "Relu", []string{"y"}, []string{"u"}), unknown...)))
	out["known group in graph"] = withGraph(t, protowire.AppendTag(protowire.AppendTag(nil, 1, protowire.StartGroupType), 1, protowire.EndGroupType))
	out["group unmatched end"] = withGraph(t, protowire.AppendTag(protowire.AppendTag(nil, 1004, protowire.StartGroupType), 1005, protowire.EndGroupType))
	out["end group alone"] = append(bytes.Clone(good), protowire.AppendTag(nil, 3, protowire.EndGroupType)...)
	out["field number 2^29"] = fVarint(bytes.Clone(good), protowire.MaxValidNumber+1, 1)
	out["field number 2^31"] = fVarint(bytes.Clone(good), 1<<31-1, 1)
	out["field number 0"] = append(bytes.Clone(good), 0x00, 0x01)
	out["overlong varint"] = append(bytes.Clone(good), 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
	out["training_info ignored"] = fBytes(bytes.Clone(good), 20, fBytes(nil, 1, fBytes(nil, 2, []byte("init"))))
	out["training_info invalid"] = fBytes(bytes.Clone(good), 20, fBytes(nil, 1, []byte{0x0a, 0x09}))
	out["functions invalid"] = fBytes(bytes.Clone(good), 25, fBytes(nil, 7, fBytes(nil, 5, fBytes(nil, 5, []byte{0x08}))))
	out["sparse initializer invalid"] = withGraph(t, fBytes(nil, 15, fBytes(nil, 3, []byte{0x80})))
	out["sparse initializer"] = withGraph(t, fBytes(nil, 15, nil))
	out["annotation"] = withGraph(t, fBytes(nil, 14, fBytes(nil, 2, fBytes(nil, 1, []byte("k")))))
	out["opset twice merged"] = append(bytes.Clone(good), fBytes(nil, 8, fVarint(fBytes(nil, 1, []byte("ai.onnx")), 2, 12))...)
	out["metadata duplicate key"] = bytes.Join([][]byte{good, fBytes(nil, 14, fBytes(nil, 1, []byte("k"))), fBytes(nil, 14, fBytes(fBytes(nil, 1, []byte("k")), 2, []byte("v")))}, nil)
	out["initializer dims packed"] = withGraph(t, fBytes(nil, 5, bytes.Join([][]byte{fBytes(nil, 1, []byte{1, 1}), fVarint(nil, 2, 1), fBytes(nil, 8, []byte("w2")), fFixed32(nil, 4, 0)}, nil)))
	out["initializer name merged"] = withGraph(t, fBytes(nil, 5, bytes.Join([][]byte{fBytes(nil, 8, []byte("w3")), fVarint(nil, 2, 6), fBytes(nil, 8, nil), fBytes(nil, 9, nil)}, nil)))
	return out
}

// nestedTypes builds a model whose training_info (ignored by fixq, parsed
// by protobuf) holds a value_info type nested to the given message depth.
func nestedTypes(t *testing.T, depth int) []byte {
	// model(1) > training_info(2) > graph(3) > value_info(4) > TypeProto(5),
	// then Sequence and TypeProto alternate.
	inner := []byte{}
	for d := depth; d > 5; d-- {
		if (d-5)%2 == 1 {
			inner = fBytes(nil, 4, inner) // a Sequence: TypeProto.sequence_type
		} else {
			inner = fBytes(nil, 1, inner) // a TypeProto: TypeProto.Sequence.elem_type
		}
	}
	vi := fBytes(fBytes(nil, 1, []byte("deep")), 2, inner)
	return fBytes(marshal(t, smallModel()), 20, fBytes(nil, 1, fBytes(nil, 13, vi)))
}

func TestEquivalentWireCases(t *testing.T) {
	cases := wireCases(t)
	names := make([]string, 0, len(cases))
	for k := range cases {
		names = append(names, k)
	}
	sort.Strings(names)
	accepted := 0
	for _, name := range names {
		m, d := diffDecode(cases[name])
		if d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if m != nil {
			accepted++
			if d := diffEncode(m); d != "" {
				t.Errorf("%s: %s", name, d)
			}
		}
	}
	t.Logf("%d of %d cases decoded", accepted, len(cases))
	if accepted < len(cases)/3 || accepted == len(cases) {
		t.Errorf("%d of %d cases decoded: the cases do not test both sides", accepted, len(cases))
	}
	// Nesting depth: protobuf-go's limit, exactly.
	for _, depth := range []int{6, maxDepth, maxDepth + 1} {
		b := nestedTypes(t, depth)
		_, d := diffDecode(b)
		if d != "" {
			t.Errorf("depth %d: %s", depth, d)
		}
		_, err := DecodeBytes(b)
		if (err == nil) != (depth <= maxDepth) {
			t.Errorf("depth %d: err %v", depth, err)
		}
	}
}

// TestEquivalentMutations: random corruptions of small real models give
// the same outcome both ways (a cheap, deterministic differential fuzz).
func TestEquivalentMutations(t *testing.T) {
	seeds := [][]byte{marshal(t, smallModel())}
	for _, b := range truncationModels(t) {
		seeds = append(seeds, b)
	}
	for _, b := range wireCases(t) {
		seeds = append(seeds, b)
	}
	rng := rand.New(rand.NewSource(7))
	n := 0
	for _, seed := range seeds {
		for i := 0; i < 150; i++ {
			b := mutate(rng, seed)
			if _, d := diffDecode(b); d != "" {
				t.Fatalf("mutation %d of a %d-byte seed: %s\ninput: %x", i, len(seed), d, b)
			}
			n++
		}
	}
	t.Logf("%d mutated inputs", n)
}

// mutate corrupts b: flips, inserts or deletes bytes, cuts it deep, or
// splices in a piece of itself.
func mutate(rng *rand.Rand, seed []byte) []byte {
	b := bytes.Clone(seed)
	for k := 1 + rng.Intn(3); k > 0 && len(b) > 0; k-- {
		i := rng.Intn(len(b))
		switch rng.Intn(6) {
		case 0:
			b[i] ^= byte(1 << rng.Intn(8))
		case 1:
			b[i] = byte(rng.Intn(256))
		case 2:
			b = append(b[:i], append([]byte{byte(rng.Intn(256))}, b[i:]...)...)
		case 3:
			b = append(b[:i], b[i+1:]...)
		case 4:
			b = deepPrefix(b, i)
		case 5:
			j := i + rng.Intn(len(b)-i)
			b = append(bytes.Clone(b), b[i:j]...)
		}
	}
	return b
}

// FuzzDecodeDifferential: whatever one decoder accepts, the other accepts
// with the same graph.Model (and the same error text when both refuse for
// a reason other than the wire format); whatever decodes, encodes to the
// bytes proto.Marshal writes.
func FuzzDecodeDifferential(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, d := diffDecode(b)
		if d != "" {
			t.Fatal(d)
		}
		if m != nil {
			if d := diffEncode(m); d != "" {
				t.Fatal(d)
			}
		}
	})
}

// TestWireSchemaMatchesOnnxpb: the hand-written schema (wire.go) has every
// field of every message reachable from ModelProto and TensorProto in the
// generated onnxpb, with the same number, encoding and cardinality; the
// enum names match too.
func TestWireSchemaMatchesOnnxpb(t *testing.T) {
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor, w *wireMessage)
	walk = func(md protoreflect.MessageDescriptor, w *wireMessage) {
		if seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		if want := strings.TrimPrefix(string(md.FullName()), "onnx."); w.name != want {
			t.Errorf("schema %s describes %s", w.name, want)
		}
		fields := md.Fields()
		if fields.Len() != len(w.fields) {
			t.Errorf("%s: %d fields in onnxpb, %d in the schema", w.name, fields.Len(), len(w.fields))
		}
		for i := 0; i < fields.Len(); i++ {
			fd := fields.Get(i)
			wf, ok := w.fields[fd.Number()]
			if !ok {
				t.Errorf("%s: field %s (%d) missing", w.name, fd.Name(), fd.Number())
				continue
			}
			var kind wireKind
			switch fd.Kind() {
			case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Uint64Kind, protoreflect.EnumKind:
				kind = wVarint
			case protoreflect.FloatKind:
				kind = wFixed32
			case protoreflect.DoubleKind:
				kind = wFixed64
			case protoreflect.StringKind, protoreflect.BytesKind:
				kind = wBytes
			case protoreflect.MessageKind:
				kind = wMessage
			default:
				t.Errorf("%s.%s: kind %v not handled", w.name, fd.Name(), fd.Kind())
			}
			if wf.name != string(fd.Name()) || wf.kind != kind || wf.repeated != fd.IsList() {
				t.Errorf("%s.%s: schema %+v, onnxpb kind %v list %v", w.name, fd.Name(), wf, fd.Kind(), fd.IsList())
			}
			if kind == wMessage {
				if wf.msg == nil {
					t.Errorf("%s.%s: no message schema", w.name, fd.Name())
					continue
				}
				walk(fd.Message(), wf.msg)
			}
		}
	}
	walk((&onnxpb.ModelProto{}).ProtoReflect().Descriptor(), &modelSchema)
	walk((&onnxpb.TensorProto{}).ProtoReflect().Descriptor(), &tensorSchema)
	if len(seen) != 21 {
		t.Errorf("walked %d message types, want 21", len(seen))
	}
	for v := int32(-2); v < 40; v++ {
		if got, want := dataTypeString(v), onnxpb.TensorProto_DataType(v).String(); got != want {
			t.Errorf("data type %d: %q, onnxpb %q", v, got, want)
		}
		if got, want := attrTypeString(v), onnxpb.AttributeProto_AttributeType(v).String(); got != want {
			t.Errorf("attribute type %d: %q, onnxpb %q", v, got, want)
		}
	}
}

// BenchmarkDecodeDet decodes the PaddleOCR detector (4.7 MB) with the
// protowire decoder and with the protobuf-go reference.
func BenchmarkDecodeDet(b *testing.B) {
	data, err := os.ReadFile(testassets.PaddleDet(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func([]byte) (*graph.Model, error)
	}{{"protowire", DecodeBytes}, {"protobuf-go", refDecodeBytes}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := c.fn(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeDet encodes the decoded detector both ways.
func BenchmarkEncodeDet(b *testing.B) {
	data, err := os.ReadFile(testassets.PaddleDet(b))
	if err != nil {
		b.Fatal(err)
	}
	m, err := DecodeBytes(data)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func(*graph.Model) ([]byte, error)
	}{{"protowire", EncodeBytes}, {"protobuf-go", refEncodeBytes}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := c.fn(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTensorFileErrors: DecodeTensor and EncodeTensor name the tensor in
// their errors; a small file claiming a huge tensor is refused before
// anything is allocated.
func TestTensorFileErrors(t *testing.T) {
	if _, err := EncodeTensor("bad", &tensor.Tensor{DType: tensor.Float32, Shape: []int{2}, F32: []float32{1}}); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("EncodeTensor of a short tensor: %v", err)
	}
	huge := fBytes(fVarint(fVarint(nil, 1, 1<<31), 2, 1), 8, []byte("big"))
	huge = fBytes(huge, 9, make([]byte, 16))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := DecodeTensor(huge)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), `"big"`) || !strings.Contains(err.Error(), "raw_data has 16 bytes") {
		t.Errorf("DecodeTensor of a huge claim: %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("DecodeTensor allocated %d bytes for a refused 40-byte file", got)
	}
	for _, b := range [][]byte{{0x0a, 0x05}, {0xff}, fVarint(nil, 1, 1)} {
		if _, err := DecodeTensor(b); err == nil {
			t.Errorf("DecodeTensor(%x) decoded", b)
		}
	}
}
