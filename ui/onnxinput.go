package ui

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// ModelInput is one graph input of an ONNX model: its name and shape,
// with -1 for a dynamic (symbolic or missing) dimension.
type ModelInput struct {
	Name  string
	Shape []int64
}

// errNotONNX says the bytes are not an ONNX ModelProto with a graph.
var errNotONNX = errors.New("not an ONNX model")

// ONNX protobuf field numbers (onnx.proto).
const (
	fieldModelIRVersion   = 1
	fieldModelGraph       = 7
	fieldGraphInitializer = 5
	fieldGraphInput       = 11
	fieldTensorName       = 8
	fieldValueInfoName    = 1
	fieldValueInfoType    = 2
	fieldTypeTensor       = 1
	fieldTensorTypeShape  = 2
	fieldShapeDim         = 1
	fieldDimValue         = 1
)

// ReadModelInputs walks just enough of an ONNX file to list the graph's
// real inputs (inputs that are also initializers are left out, as ONNX
// IR < 4 lists weights as inputs). It is a header read for the page, so
// it can infer preprocessing without loading the core; the core decodes
// and checks the model properly when a job runs.
func ReadModelInputs(b []byte) ([]ModelInput, error) {
	var graph []byte
	sawIR := false
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == fieldModelIRVersion && typ == protowire.VarintType:
			sawIR = true
		case num == fieldModelGraph && typ == protowire.BytesType:
			graph = v
		}
		return nil
	})
	if err != nil || !sawIR || graph == nil {
		if err == nil {
			err = errors.New("no IR version or no graph")
		}
		return nil, fmt.Errorf("%w: %v", errNotONNX, err)
	}
	inits := map[string]bool{}
	var inputs []ModelInput
	err = walk(graph, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case fieldGraphInitializer:
			return walk(v, func(n protowire.Number, t protowire.Type, s []byte, _ uint64) error {
				if n == fieldTensorName && t == protowire.BytesType {
					inits[string(s)] = true
				}
				return nil
			})
		case fieldGraphInput:
			in, err := readValueInfo(v)
			if err != nil {
				return err
			}
			inputs = append(inputs, in)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: graph: %v", errNotONNX, err)
	}
	var real []ModelInput
	for _, in := range inputs {
		if !inits[in.Name] {
			real = append(real, in)
		}
	}
	return real, nil
}

func readValueInfo(b []byte) (ModelInput, error) {
	var in ModelInput
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case fieldValueInfoName:
			in.Name = string(v)
		case fieldValueInfoType:
			return walkField(v, fieldTypeTensor, func(tt []byte) error {
				return walkField(tt, fieldTensorTypeShape, func(shape []byte) error {
					in.Shape = []int64{}
					return walkField(shape, fieldShapeDim, func(dim []byte) error {
						d := int64(-1)
						err := walk(dim, func(n protowire.Number, t protowire.Type, _ []byte, x uint64) error {
							if n == fieldDimValue && t == protowire.VarintType && int64(x) > 0 {
								d = int64(x)
							}
							return nil
						})
						in.Shape = append(in.Shape, d)
						return err
					})
				})
			})
		}
		return nil
	})
	return in, err
}

// walkField calls f with the contents of every length-delimited field num.
func walkField(b []byte, num protowire.Number, f func([]byte) error) error {
	return walk(b, func(n protowire.Number, t protowire.Type, v []byte, _ uint64) error {
		if n == num && t == protowire.BytesType {
			return f(v)
		}
		return nil
	})
}

// walk calls f for each field of a protobuf message: v holds a
// length-delimited field's bytes, x a varint's value.
func walk(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for off := 0; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("bad field tag at byte %d: %v", off, protowire.ParseError(n))
		}
		b, off = b[n:], off+n
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("bad field %d at byte %d: %v", num, off, protowire.ParseError(n))
		}
		if err := f(num, typ, v, x); err != nil {
			return err
		}
		b, off = b[n:], off+n
	}
	return nil
}
