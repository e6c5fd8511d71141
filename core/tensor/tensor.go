package tensor

import (
	"fmt"
	"strings"
)

// DType is an element type. The values follow ONNX TensorProto.DataType so
// conversion to and from ONNX is the identity.
type DType int32

const (
	Undefined DType = 0
	Float32   DType = 1
	Uint8     DType = 2
	Int8      DType = 3
	Int32     DType = 6
	Int64     DType = 7
	Bool      DType = 9
)

// String gives the ONNX spelling of the type.
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Uint8:
		return "uint8"
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("dtype(%d)", int32(d))
}

// Size is the element size in bytes.
func (d DType) Size() int {
	switch d {
	case Float32, Int32:
		return 4
	case Int64:
		return 8
	case Uint8, Int8, Bool:
		return 1
	}
	return 0
}

// Supported reports whether fixq can hold tensors of this type.
func (d DType) Supported() bool { return d.Size() > 0 }

// Tensor is a dense row-major tensor. Exactly one of the slices is used,
// the one that matches DType; its length equals the product of Shape.
type Tensor struct {
	DType DType
	Shape []int
	F32   []float32
	U8    []uint8
	I8    []int8
	I32   []int32
	I64   []int64
	B     []bool
}

// MaxElements bounds every tensor fixq allocates from untrusted input
// (2^31 elements: 8 GiB of float32, far beyond what a browser tab holds).
const MaxElements = 1 << 31

// NumElements is the product of shape, or an error if a dim is negative or
// the product exceeds MaxElements. It never overflows.
func NumElements(shape []int) (int, error) {
	n := 1
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("tensor: dim %d of shape %v is negative", i, shape)
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > MaxElements/d {
			return 0, fmt.Errorf("tensor: shape %v has more than %d elements", shape, MaxElements)
		}
		n *= d
	}
	return n, nil
}

// New allocates a zeroed tensor. It returns an error for an unsupported
// dtype, a negative dim or a shape over MaxElements.
func New(dt DType, shape ...int) (*Tensor, error) {
	n, err := NumElements(shape)
	if err != nil {
		return nil, err
	}
	t := &Tensor{DType: dt, Shape: append([]int(nil), shape...)}
	switch dt {
	case Float32:
		t.F32 = make([]float32, n)
	case Uint8:
		t.U8 = make([]uint8, n)
	case Int8:
		t.I8 = make([]int8, n)
	case Int32:
		t.I32 = make([]int32, n)
	case Int64:
		t.I64 = make([]int64, n)
	case Bool:
		t.B = make([]bool, n)
	default:
		return nil, fmt.Errorf("tensor: unsupported dtype %v", dt)
	}
	return t, nil
}

// MustNew is New for shapes the caller controls; it panics on error.
func MustNew(dt DType, shape ...int) *Tensor {
	t, err := New(dt, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// FromFloat32 wraps data (not copied) with shape.
func FromFloat32(data []float32, shape ...int) *Tensor {
	return &Tensor{DType: Float32, Shape: append([]int(nil), shape...), F32: data}
}

// FromInt64 wraps data (not copied) with shape.
func FromInt64(data []int64, shape ...int) *Tensor {
	return &Tensor{DType: Int64, Shape: append([]int(nil), shape...), I64: data}
}

// Len is the number of elements.
func (t *Tensor) Len() int {
	switch t.DType {
	case Float32:
		return len(t.F32)
	case Uint8:
		return len(t.U8)
	case Int8:
		return len(t.I8)
	case Int32:
		return len(t.I32)
	case Int64:
		return len(t.I64)
	case Bool:
		return len(t.B)
	}
	return 0
}

// Rank is len(Shape).
func (t *Tensor) Rank() int { return len(t.Shape) }

// Validate checks that the backing slice matches dtype and shape.
func (t *Tensor) Validate() error {
	if t == nil {
		return fmt.Errorf("tensor: nil")
	}
	n, err := NumElements(t.Shape)
	if err != nil {
		return err
	}
	if !t.DType.Supported() {
		return fmt.Errorf("tensor: unsupported dtype %v", t.DType)
	}
	if t.Len() != n {
		return fmt.Errorf("tensor: %v shape %v wants %d elements, has %d", t.DType, t.Shape, n, t.Len())
	}
	return nil
}

// Clone deep-copies t.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{DType: t.DType, Shape: append([]int(nil), t.Shape...)}
	switch t.DType {
	case Float32:
		c.F32 = append([]float32(nil), t.F32...)
	case Uint8:
		c.U8 = append([]uint8(nil), t.U8...)
	case Int8:
		c.I8 = append([]int8(nil), t.I8...)
	case Int32:
		c.I32 = append([]int32(nil), t.I32...)
	case Int64:
		c.I64 = append([]int64(nil), t.I64...)
	case Bool:
		c.B = append([]bool(nil), t.B...)
	}
	return c
}

// Reshaped returns a tensor sharing t's data with a new shape. The caller
// must ensure the element count matches (checked; error otherwise).
func (t *Tensor) Reshaped(shape ...int) (*Tensor, error) {
	n, err := NumElements(shape)
	if err != nil {
		return nil, err
	}
	if n != t.Len() {
		return nil, fmt.Errorf("tensor: cannot reshape %v (%d elements) to %v", t.Shape, t.Len(), shape)
	}
	c := *t
	c.Shape = append([]int(nil), shape...)
	return &c, nil
}

// AsInt64s returns the elements of an integer tensor widened to int64
// (used for shape-like inputs: Reshape's shape, Slice's starts, ...).
func (t *Tensor) AsInt64s() ([]int64, error) {
	switch t.DType {
	case Int64:
		return t.I64, nil
	case Int32:
		out := make([]int64, len(t.I32))
		for i, v := range t.I32 {
			out[i] = int64(v)
		}
		return out, nil
	case Int8:
		out := make([]int64, len(t.I8))
		for i, v := range t.I8 {
			out[i] = int64(v)
		}
		return out, nil
	case Uint8:
		out := make([]int64, len(t.U8))
		for i, v := range t.U8 {
			out[i] = int64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor: want an integer tensor, have %v", t.DType)
}

// String is a short description: dtype and shape.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil tensor>"
	}
	parts := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		parts[i] = fmt.Sprint(d)
	}
	return fmt.Sprintf("%v[%s]", t.DType, strings.Join(parts, ","))
}

// SameShape reports whether a and b have equal shapes.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
