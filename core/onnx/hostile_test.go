package onnx

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"fixq/core/onnx/onnxpb"
	"fixq/internal/testassets"
)

// decodeNoPanic decodes b and fails the test on a panic or on a model
// that breaks Decode's promises; it returns Decode's error.
func decodeNoPanic(t *testing.T, what string, b []byte) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: Decode panicked: %v", what, r)
		}
	}()
	m, err := DecodeBytes(b)
	if err == nil {
		checkDecoded(t, m)
	}
	return err
}

func TestSmallModelDecodes(t *testing.T) {
	m, err := DecodeBytes(marshal(t, smallModel()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Graph.Nodes) != 2 || m.Opset() != 13 || m.Graph.Initializers["w"].F32[3] != -4 {
		t.Fatalf("unexpected model %+v", m.Graph)
	}
}

// TestDecodeRefuses: every malformed model gives an error that names the
// problem and the node or tensor.
func TestDecodeRefuses(t *testing.T) {
	f32 := int32(onnxpb.TensorProto_FLOAT)
	node := func(mp *onnxpb.ModelProto, i int) *onnxpb.NodeProto { return mp.Graph.Node[i] }
	cases := []struct {
		name   string
		mutate func(mp *onnxpb.ModelProto)
		want   []string // substrings of the error
	}{
		{"no graph", func(mp *onnxpb.ModelProto) { mp.Graph = nil }, []string{"no graph"}},
		{"no ir_version", func(mp *onnxpb.ModelProto) { mp.IrVersion = nil }, []string{"ir_version"}},
		{"negative ir_version", func(mp *onnxpb.ModelProto) { mp.IrVersion = proto.Int64(-3) }, []string{"ir_version (-3)"}},
		{"cycle", func(mp *onnxpb.ModelProto) {
			node(mp, 0).Input[0] = "y" // add reads relu's output, relu reads add's
			mp.Graph.Input = nil
		}, []string{"cycle", `"add"`}},
		{"self loop", func(mp *onnxpb.ModelProto) { node(mp, 1).Input[0] = "y" }, []string{"cycle", `"relu"`}},
		{"dangling input", func(mp *onnxpb.ModelProto) { node(mp, 1).Input[0] = "ghost" }, []string{`"relu"`, `"ghost"`, "nothing produces"}},
		{"dangling output", func(mp *onnxpb.ModelProto) { mp.Graph.Output[0].Name = proto.String("ghost") }, []string{`"ghost"`, "not produced"}},
		{"duplicate value", func(mp *onnxpb.ModelProto) { node(mp, 1).Output[0] = "s" }, []string{`"s"`, "produced twice", `"relu"`}},
		{"node output shadows input", func(mp *onnxpb.ModelProto) { node(mp, 0).Output[0] = "x" }, []string{`"x"`, "produced twice"}},
		{"duplicate node name", func(mp *onnxpb.ModelProto) { node(mp, 1).Name = proto.String("add") }, []string{`"add"`, "used twice"}},
		{"duplicate initializer", func(mp *onnxpb.ModelProto) {
			mp.Graph.Initializer = append(mp.Graph.Initializer, mp.Graph.Initializer[0])
		}, []string{`"w"`, "twice"}},
		{"duplicate graph output", func(mp *onnxpb.ModelProto) {
			mp.Graph.Output = append(mp.Graph.Output, mp.Graph.Output[0])
		}, []string{`"y"`, "twice"}},
		{"duplicate opset domain", func(mp *onnxpb.ModelProto) {
			mp.OpsetImport = append(mp.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String("ai.onnx"), Version: proto.Int64(11)})
		}, []string{"opset_import", "twice"}},
		{"absurd dims with small raw_data", func(mp *onnxpb.ModelProto) {
			w := mp.Graph.Initializer[0]
			w.Dims, w.FloatData, w.RawData = []int64{1 << 40}, nil, make([]byte, 16)
		}, []string{`"w"`, "1099511627776"}},
		{"product of dims too large", func(mp *onnxpb.ModelProto) {
			w := mp.Graph.Initializer[0]
			w.Dims, w.FloatData, w.RawData = []int64{1 << 20, 1 << 20}, nil, make([]byte, 16)
		}, []string{`"w"`, "more than"}},
		{"raw_data too short", func(mp *onnxpb.ModelProto) {
			w := mp.Graph.Initializer[0]
			w.Dims, w.FloatData, w.RawData = []int64{1 << 28}, nil, make([]byte, 16)
		}, []string{`"w"`, "raw_data has 16 bytes"}},
		{"float_data too short", func(mp *onnxpb.ModelProto) { mp.Graph.Initializer[0].Dims = []int64{5} }, []string{`"w"`, "float_data has 4 values"}},
		{"negative dim", func(mp *onnxpb.ModelProto) { mp.Graph.Initializer[0].Dims = []int64{-4} }, []string{`"w"`, "negative"}},
		{"external data", func(mp *onnxpb.ModelProto) {
			w := mp.Graph.Initializer[0]
			w.FloatData = nil
			w.DataLocation = onnxpb.TensorProto_EXTERNAL.Enum()
			w.ExternalData = []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("weights.bin")}}
		}, []string{`"w"`, "external data"}},
		{"float64 initializer", func(mp *onnxpb.ModelProto) {
			w := mp.Graph.Initializer[0]
			w.DataType, w.FloatData, w.DoubleData = proto.Int32(int32(onnxpb.TensorProto_DOUBLE)), nil, []float64{1, 2, 3, 4}
		}, []string{`"w"`, "DOUBLE", "not supported"}},
		{"string initializer", func(mp *onnxpb.ModelProto) {
			w := mp.Graph.Initializer[0]
			w.DataType, w.FloatData = proto.Int32(int32(onnxpb.TensorProto_STRING)), nil
		}, []string{`"w"`, "STRING"}},
		{"float16 constant in unnamed node", func(mp *onnxpb.ModelProto) {
			mp.Graph.Node = append(mp.Graph.Node, &onnxpb.NodeProto{OpType: proto.String("Constant"), Output: []string{"c"},
				Attribute: []*onnxpb.AttributeProto{{Name: proto.String("value"), Type: onnxpb.AttributeProto_TENSOR.Enum(),
					T: &onnxpb.TensorProto{DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT16)), Dims: []int64{1}, Int32Data: []int32{0}}}}})
		}, []string{`"Constant_2"`, "FLOAT16", `"value"`}},
		{"sparse initializer", func(mp *onnxpb.ModelProto) {
			mp.Graph.SparseInitializer = []*onnxpb.SparseTensorProto{{}}
		}, []string{"sparse"}},
		{"attribute declared int holds floats", func(mp *onnxpb.ModelProto) {
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{{Name: proto.String("axis"), Type: onnxpb.AttributeProto_INT.Enum(), Floats: []float32{1}}}
		}, []string{`"relu"`, `"axis"`, "declared int", "floats"}},
		{"attribute declared ints holds i", func(mp *onnxpb.ModelProto) {
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{{Name: proto.String("pads"), Type: onnxpb.AttributeProto_INTS.Enum(), I: proto.Int64(1)}}
		}, []string{`"relu"`, `"pads"`, "declared ints", "holds i"}},
		{"attribute declared float has no value", func(mp *onnxpb.ModelProto) {
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{{Name: proto.String("alpha"), Type: onnxpb.AttributeProto_FLOAT.Enum()}}
		}, []string{`"relu"`, `"alpha"`, "no value"}},
		{"attribute declared tensor has none", func(mp *onnxpb.ModelProto) {
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{{Name: proto.String("value"), Type: onnxpb.AttributeProto_TENSOR.Enum()}}
		}, []string{`"relu"`, `"value"`, "no value"}},
		{"attribute of unsupported type", func(mp *onnxpb.ModelProto) {
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{{Name: proto.String("ts"), Type: onnxpb.AttributeProto_TENSORS.Enum(),
				Tensors: []*onnxpb.TensorProto{{}}}}
		}, []string{`"relu"`, `"ts"`, "TENSORS"}},
		{"untyped attribute with two values", func(mp *onnxpb.ModelProto) {
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{{Name: proto.String("k"), I: proto.Int64(1), F: proto.Float32(2)}}
		}, []string{`"relu"`, `"k"`, "several values"}},
		{"duplicate attribute", func(mp *onnxpb.ModelProto) {
			a := &onnxpb.AttributeProto{Name: proto.String("axis"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(1)}
			node(mp, 1).Attribute = []*onnxpb.AttributeProto{a, a}
		}, []string{`"relu"`, `"axis"`, "twice"}},
		{"node without op_type", func(mp *onnxpb.ModelProto) { node(mp, 1).OpType = nil }, []string{`"relu"`, "no op_type"}},
		{"input that is a sequence", func(mp *onnxpb.ModelProto) {
			mp.Graph.Input[0].Type = &onnxpb.TypeProto{Value: &onnxpb.TypeProto_SequenceType{SequenceType: &onnxpb.TypeProto_Sequence{}}}
		}, []string{`"x"`, "not a tensor"}},
		{"unnamed initializer", func(mp *onnxpb.ModelProto) { mp.Graph.Initializer[0].Name = nil }, []string{"initializer has no name"}},
	}
	_ = f32
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mp := smallModel()
			c.mutate(mp)
			err := decodeNoPanic(t, c.name, marshal(t, mp))
			if err == nil {
				t.Fatal("decoded without error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestAttrGetterTypeMismatch: a well-formed attribute of the wrong type
// for the op decodes, and the typed getter names the node.
func TestAttrGetterTypeMismatch(t *testing.T) {
	mp := smallModel()
	mp.Graph.Node[1].Attribute = []*onnxpb.AttributeProto{{Name: proto.String("strides"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(2)}}
	m, err := DecodeBytes(marshal(t, mp))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Graph.NodeByName("relu").AttrInts("strides", nil)
	if err == nil || !strings.Contains(err.Error(), `"relu"`) || !strings.Contains(err.Error(), "strides") {
		t.Fatalf("getter error %v does not name node and attribute", err)
	}
}

// truncationModels are small real ONNX files (written by ONNX's own tools).
func truncationModels(t *testing.T) map[string][]byte {
	root := testassets.ONNXTestData(t)
	out := map[string][]byte{}
	for _, name := range []string{"test_conv_with_strides_padding", "test_constant", "test_maxpool_2d_pads", "test_gemm_all_attributes", "test_clip"} {
		b, err := os.ReadFile(filepath.Join(root, "node", name, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// TestTruncatedPrefixes decodes every prefix of small real models, both
// as raw bytes and "deep" (cut at the same offset with every enclosing
// length prefix fixed, so the cut lands inside a node, a tensor, ...).
func TestTruncatedPrefixes(t *testing.T) {
	for name, b := range truncationModels(t) {
		if err := decodeNoPanic(t, name, b); err != nil {
			t.Fatalf("%s: full model does not decode: %v", name, err)
		}
		rawErrs, deepErrs := 0, 0
		for n := 0; n < len(b); n++ {
			if decodeNoPanic(t, name, b[:n]) != nil {
				rawErrs++
			}
			if decodeNoPanic(t, name, deepPrefix(b, n)) != nil {
				deepErrs++
			}
		}
		if rawErrs == 0 || deepErrs == 0 {
			t.Errorf("%s: no prefix was refused (raw %d, deep %d)", name, rawErrs, deepErrs)
		}
	}
}

// TestTruncatedRealModel cuts the PaddleOCR classifier deep at 300
// offsets (every offset would take minutes) and raw near the end.
func TestTruncatedRealModel(t *testing.T) {
	b, err := os.ReadFile(testassets.PaddleCls(t))
	if err != nil {
		t.Fatal(err)
	}
	step := len(b) / 150
	for n := 0; n < len(b); n += step {
		decodeNoPanic(t, "cls deep", deepPrefix(b, n))
		decodeNoPanic(t, "cls deep", deepPrefix(b, n+1+n%7))
	}
	// Raw cuts near the end may drop only trailing fields (opset_import):
	// then the result is a valid model, which is fine.
	for n := len(b) - 64; n < len(b); n++ {
		decodeNoPanic(t, "cls", b[:n])
	}
}

// deepPrefix returns the protobuf message b cut at byte offset n, keeping
// it well-formed: the fields before the cut stay, the field containing the
// cut is itself cut (recursively, if it holds a message) with its length
// prefix fixed, and everything after is dropped.
func deepPrefix(b []byte, n int) []byte {
	var out []byte
	for len(b) > 0 {
		num, typ, tagLen := protowire.ConsumeTag(b)
		if tagLen < 0 {
			return out
		}
		valLen := protowire.ConsumeFieldValue(num, typ, b[tagLen:])
		if valLen < 0 {
			return out
		}
		total := tagLen + valLen
		if n >= total {
			out = append(out, b[:total]...)
			b, n = b[total:], n-total
			continue
		}
		if typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[tagLen:])
			head := tagLen + valLen - len(v)
			if n > head && isMessage(v) {
				out = protowire.AppendTag(out, num, protowire.BytesType)
				out = protowire.AppendBytes(out, deepPrefix(v, n-head))
			}
		}
		return out
	}
	return out
}

// isMessage reports whether b parses as a sequence of protobuf fields.
func isMessage(b []byte) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return false
		}
		b = b[n+m:]
	}
	return true
}

func TestGarbage(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	if err := decodeNoPanic(t, "empty", nil); err == nil {
		t.Error("empty input decoded")
	}
	for i := 0; i < 2000; i++ {
		b := make([]byte, 1+rng.Intn(300))
		rng.Read(b)
		decodeNoPanic(t, "random", b)
	}
	// Corrupt single bytes of a valid model.
	good := marshal(t, smallModel())
	for i := range good {
		for _, v := range []byte{0x00, 0xff, 0x80, good[i] ^ 0x07} {
			b := bytes.Clone(good)
			b[i] = v
			decodeNoPanic(t, "flipped", b)
		}
	}
	if err := decodeNoPanic(t, "text", []byte("this is not an ONNX model\n")); err == nil {
		t.Error("text decoded as a model")
	}
}

// TestWrongWireTypes: known fields encoded with the wrong wire type.
func TestWrongWireTypes(t *testing.T) {
	var b []byte
	b = protowire.AppendTag(b, 7, protowire.VarintType) // graph as a varint
	b = protowire.AppendVarint(b, 5)
	if err := decodeNoPanic(t, "graph varint", b); err == nil || !strings.Contains(err.Error(), "no graph") {
		t.Errorf("graph as varint: got %v", err)
	}

	good := smallModel()
	g := marshalGraph(t, good.Graph)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"ir_version as bytes", appendBytesField(appendBytesField(nil, 1, []byte("xx")), 7, g)},
		{"graph as fixed32", protowire.AppendFixed32(protowire.AppendTag(nil, 7, protowire.Fixed32Type), 1)},
		{"node as varint inside graph", appendBytesField(nil, 7, protowire.AppendVarint(protowire.AppendTag(g, 1, protowire.VarintType), 1))},
		{"dims as bytes inside initializer", appendBytesField(nil, 7, appendBytesField(g, 5, appendBytesField(nil, 1, []byte{0xff, 0xff})))},
		{"group wire type", protowire.AppendTag(nil, 7, protowire.StartGroupType)},
		{"field number zero", protowire.AppendVarint(protowire.AppendTag(nil, 0, protowire.VarintType), 1)},
		{"length past end", protowire.AppendVarint(protowire.AppendTag(nil, 7, protowire.BytesType), 1<<62)},
	} {
		decodeNoPanic(t, tc.name, tc.b)
	}
}

func marshalGraph(t *testing.T, g *onnxpb.GraphProto) []byte {
	b, err := proto.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

// hostileInputs are under 1 KB each and claim far more than they hold.
func hostileInputs(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	claim := func(name string, dims []int64, dt onnxpb.TensorProto_DataType, raw []byte) {
		mp := smallModel()
		w := mp.Graph.Initializer[0]
		w.Dims, w.DataType, w.FloatData, w.RawData = dims, proto.Int32(int32(dt)), nil, raw
		out[name] = marshal(t, mp)
	}
	claim("2^40 floats", []int64{1 << 40}, onnxpb.TensorProto_FLOAT, make([]byte, 16))
	claim("2^31 floats", []int64{1 << 31}, onnxpb.TensorProto_FLOAT, make([]byte, 16))
	claim("2^30 int64", []int64{1 << 15, 1 << 15}, onnxpb.TensorProto_INT64, make([]byte, 16))
	claim("2^31 bytes typed", []int64{1 << 31}, onnxpb.TensorProto_UINT8, nil)
	claim("zero times huge (valid: an empty tensor)", []int64{0, 1 << 31, 1 << 31}, onnxpb.TensorProto_FLOAT, nil)
	// A Constant node claiming a huge tensor.
	mp := smallModel()
	mp.Graph.Node = append(mp.Graph.Node, &onnxpb.NodeProto{Name: proto.String("c"), OpType: proto.String("Constant"), Output: []string{"c"},
		Attribute: []*onnxpb.AttributeProto{{Name: proto.String("value"), Type: onnxpb.AttributeProto_TENSOR.Enum(),
			T: &onnxpb.TensorProto{DataType: proto.Int32(1), Dims: []int64{1 << 30}, RawData: make([]byte, 4)}}}})
	out["huge constant"] = marshal(t, mp)
	// Length prefixes that point far past the end.
	out["length past end"] = protowire.AppendVarint(protowire.AppendTag(nil, 7, protowire.BytesType), 1<<40)
	g := marshalGraph(t, smallModel().Graph)
	out["packed dims past end"] = appendBytesField(nil, 7, append(appendBytesField(g, 5, nil)[:len(g)], protowire.AppendVarint(protowire.AppendTag(nil, 5, protowire.BytesType), 1<<30)...))
	for k, b := range out {
		if len(b) > 1024 {
			t.Fatalf("%s: hostile input is %d bytes, want <= 1 KB", k, len(b))
		}
	}
	return out
}

// TestHostileAllocationBounded: decoding a <=1 KB input that claims
// gigabytes allocates less than 256 KB in total.
func TestHostileAllocationBounded(t *testing.T) {
	const limit = 256 << 10
	for name, b := range hostileInputs(t) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := DecodeBytes(b)
		runtime.ReadMemStats(&after)
		if err == nil && !strings.Contains(name, "(valid") {
			t.Errorf("%s: decoded without error", name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > limit {
			t.Errorf("%s: decode allocated %d bytes, want <= %d (err: %v)", name, got, limit, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

func TestCheckOpset(t *testing.T) {
	for _, c := range []struct {
		opsets []*onnxpb.OperatorSetIdProto
		ok     bool
		want   string
	}{
		{[]*onnxpb.OperatorSetIdProto{{Version: proto.Int64(7)}}, true, ""},
		{[]*onnxpb.OperatorSetIdProto{{Domain: proto.String("ai.onnx"), Version: proto.Int64(21)}}, true, ""},
		{[]*onnxpb.OperatorSetIdProto{{Version: proto.Int64(6)}}, false, "opset 6"},
		{[]*onnxpb.OperatorSetIdProto{{Version: proto.Int64(22)}}, false, "opset 22"},
		{nil, false, "opset 1"}, // no opset_import means opset 1
		{[]*onnxpb.OperatorSetIdProto{{Domain: proto.String("com.microsoft"), Version: proto.Int64(1)}}, false, "no ai.onnx"},
	} {
		mp := smallModel()
		mp.OpsetImport = c.opsets
		m, err := DecodeBytes(marshal(t, mp))
		if err != nil {
			t.Fatalf("%v: decode: %v", c.opsets, err)
		}
		err = CheckOpset(m)
		if c.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%v: CheckOpset = %v, want ok=%v %q", c.opsets, err, c.ok, c.want)
		}
	}
}
