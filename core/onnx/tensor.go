package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"fixq/core/onnx/onnxpb"
	"fixq/core/tensor"
)

// TensorFromProto converts a TensorProto (raw_data or typed fields).
// External data is refused with an error naming the tensor.
func TensorFromProto(p *onnxpb.TensorProto) (*tensor.Tensor, error) {
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

// TensorToProto converts t to a TensorProto using raw_data (little endian),
// which is what onnxruntime and the ONNX tools write for weights.
func TensorToProto(name string, t *tensor.Tensor) (*onnxpb.TensorProto, error) {
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
