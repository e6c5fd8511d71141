package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"

	"fixq/core/tensor"
)

// TensorProto field numbers (onnx.proto).
const (
	tensorDims         = 1
	tensorDataType     = 2
	tensorSegment      = 3
	tensorFloatData    = 4
	tensorInt32Data    = 5
	tensorInt64Data    = 7
	tensorName         = 8
	tensorRawData      = 9
	tensorExternalData = 13
	tensorDataLocation = 14

	dataLocationExternal = 1 // TensorProto.DataLocation EXTERNAL
)

// DecodeTensor parses a serialized TensorProto (such as the input_N.pb and
// output_N.pb files of ONNX's test data) and converts it like the
// initializers of a model: raw_data or the typed fields; external data,
// segments and unsupported types are refused with an error naming the
// tensor. b is not modified or retained.
func DecodeTensor(b []byte) (*tensor.Tensor, error) {
	if err := validateMessage(b, &tensorSchema, 1); err != nil {
		return nil, fmt.Errorf("onnx: not a valid TensorProto (protobuf: %v)", err)
	}
	t, err := decodeTensor(newReader(b))
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return t, nil
}

// decodeTensor converts the TensorProto r reads (all its occurrences,
// merged). The input has passed validateMessage.
func decodeTensor(r fieldReader) (*tensor.Tensor, error) {
	// First pass: the header fields and how many values each data field holds.
	start := r
	var (
		name                          string
		dataType                      int32
		location                      int32
		external, segment             bool
		raw                           []byte
		hasRaw                        bool
		nDims, nFloat, nInt32, nInt64 int
	)
	for r.next() {
		switch r.num {
		case tensorDims:
			nDims += r.count(wVarint)
		case tensorDataType:
			if r.typ == protowire.VarintType {
				dataType = int32(r.x)
			}
		case tensorSegment:
			segment = segment || r.typ == protowire.BytesType
		case tensorFloatData:
			nFloat += r.count(wFixed32)
		case tensorInt32Data:
			nInt32 += r.count(wVarint)
		case tensorInt64Data:
			nInt64 += r.count(wVarint)
		case tensorName:
			if r.typ == protowire.BytesType {
				name = string(r.v)
			}
		case tensorRawData:
			if r.typ == protowire.BytesType {
				raw, hasRaw = r.v, true
			}
		case tensorExternalData:
			external = external || r.typ == protowire.BytesType
		case tensorDataLocation:
			if r.typ == protowire.VarintType {
				location = int32(r.x)
			}
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("tensor %q: %v", name, r.err)
	}
	if location == dataLocationExternal || external {
		return nil, fmt.Errorf("tensor %q: external data is not supported (save the model with its weights inside the .onnx file)", name)
	}
	if segment {
		return nil, fmt.Errorf("tensor %q: segmented tensors are not supported", name)
	}
	dt := tensor.DType(dataType)
	if !dt.Supported() {
		return nil, fmt.Errorf("tensor %q: data type %s is not supported", name, dataTypeString(dataType))
	}
	// nDims is at most the input's length, so this allocation is bounded.
	shape := make([]int, 0, nDims)
	var dimErr error
	for r = start; r.next() && dimErr == nil; {
		if r.num != tensorDims {
			continue
		}
		r.varints(func(x uint64) {
			d, i := int64(x), len(shape)
			switch {
			case dimErr != nil:
			case d < 0:
				dimErr = fmt.Errorf("tensor %q: dim %d is negative (%d)", name, i, d)
			case d > tensor.MaxElements:
				dimErr = fmt.Errorf("tensor %q: dim %d is %d, more than the %d elements fixq allows", name, i, d, tensor.MaxElements)
			default:
				shape = append(shape, int(d))
			}
		})
	}
	if dimErr != nil {
		return nil, dimErr
	}
	n, err := tensor.NumElements(shape)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	// Sizes are checked before the tensor is allocated.
	if hasRaw {
		if len(raw) != n*dt.Size() {
			return nil, fmt.Errorf("tensor %q: raw_data has %d bytes, %v%v needs %d", name, len(raw), dt, shape, n*dt.Size())
		}
	} else {
		have, field := nInt32, "int32_data" // int8, uint8, int32, bool
		switch dt {
		case tensor.Float32:
			have, field = nFloat, "float_data"
		case tensor.Int64:
			have, field = nInt64, "int64_data"
		}
		if have != n {
			return nil, fmt.Errorf("tensor %q: %s has %d values, %v%v needs %d", name, field, have, dt, shape, n)
		}
	}
	t, err := tensor.New(dt, shape...)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	if hasRaw {
		fromRaw(t, raw)
		return t, nil
	}
	// Second pass: the typed field's values, packed or not, in order.
	k := 0
	for r = start; r.next(); {
		switch {
		case dt == tensor.Float32 && r.num == tensorFloatData:
			if r.typ == protowire.Fixed32Type && k < n {
				t.F32[k] = math.Float32frombits(uint32(r.x))
				k++
			} else if r.typ == protowire.BytesType {
				for v := r.v; len(v) >= 4 && k < n; v = v[4:] {
					t.F32[k] = math.Float32frombits(binary.LittleEndian.Uint32(v))
					k++
				}
			}
		case dt == tensor.Int64 && r.num == tensorInt64Data:
			r.varints(func(x uint64) {
				if k < n {
					t.I64[k] = int64(x)
					k++
				}
			})
		case dt != tensor.Float32 && dt != tensor.Int64 && r.num == tensorInt32Data:
			r.varints(func(x uint64) {
				if k >= n {
					return
				}
				v := int32(x)
				switch dt {
				case tensor.Int32:
					t.I32[k] = v
				case tensor.Int8:
					t.I8[k] = int8(v)
				case tensor.Uint8:
					t.U8[k] = uint8(v)
				case tensor.Bool:
					t.B[k] = v != 0
				}
				k++
			})
		}
	}
	return t, nil
}

// fromRaw fills t from little-endian raw_data of exactly the right length.
func fromRaw(t *tensor.Tensor, raw []byte) {
	le := binary.LittleEndian
	switch t.DType {
	case tensor.Float32:
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case tensor.Int64:
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case tensor.Int32:
		for i := range t.I32 {
			t.I32[i] = int32(le.Uint32(raw[4*i:]))
		}
	case tensor.Int8:
		for i := range t.I8 {
			t.I8[i] = int8(raw[i])
		}
	case tensor.Uint8:
		copy(t.U8, raw)
	case tensor.Bool:
		for i := range t.B {
			t.B[i] = raw[i] != 0
		}
	}
}

// appendRaw appends t's values as little-endian raw_data.
func appendRaw(b []byte, t *tensor.Tensor) []byte {
	le := binary.LittleEndian
	switch t.DType {
	case tensor.Float32:
		for _, v := range t.F32 {
			b = le.AppendUint32(b, math.Float32bits(v))
		}
	case tensor.Int64:
		for _, v := range t.I64 {
			b = le.AppendUint64(b, uint64(v))
		}
	case tensor.Int32:
		for _, v := range t.I32 {
			b = le.AppendUint32(b, uint32(v))
		}
	case tensor.Int8:
		for _, v := range t.I8 {
			b = append(b, byte(v))
		}
	case tensor.Uint8:
		b = append(b, t.U8...)
	case tensor.Bool:
		for _, v := range t.B {
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	}
	return b
}

// dataTypeNames are onnx.proto's TensorProto.DataType names (ONNX 1.12).
var dataTypeNames = [...]string{
	"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
	"FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
}

// DataTypeName is the onnx.proto name of an ONNX element type (TensorProto
// DataType: "FLOAT", "DOUBLE", ...), and whether the schema knows it.
func DataTypeName(dt int32) (string, bool) {
	if dt >= 0 && int(dt) < len(dataTypeNames) {
		return dataTypeNames[dt], true
	}
	return "", false
}

// dataTypeString spells dt as protobuf's enum String does: the name, or
// the number if the schema has no name for it.
func dataTypeString(dt int32) string {
	if s, ok := DataTypeName(dt); ok {
		return s
	}
	return strconv.Itoa(int(dt))
}
