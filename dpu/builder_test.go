package dpu

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// modelBuilder builds graph.Models by hand for the Inspector tests, with
// every shape given explicitly (computed here with the ONNX output-size
// formulas, independently of the code under test). Weight initializers
// carry a shape and no data: Inspect reads only shapes of weights.
type modelBuilder struct {
	m      *graph.Model
	shapes map[string][]int
}

func newModel(opset int64) *modelBuilder {
	return &modelBuilder{
		m:      &graph.Model{Opsets: map[string]int64{"": opset}, Graph: &graph.Graph{Name: "test"}},
		shapes: map[string][]int{},
	}
}

func (b *modelBuilder) input(name string, shape ...int) string {
	b.m.Graph.Inputs = append(b.m.Graph.Inputs, graph.ValueInfo{Name: name, DType: tensor.Float32})
	b.shapes[name] = shape
	return name
}

func (b *modelBuilder) output(name string) {
	b.m.Graph.Outputs = append(b.m.Graph.Outputs, graph.ValueInfo{Name: name, DType: tensor.Float32})
}

// weight adds a shape-only float initializer.
func (b *modelBuilder) weight(name string, shape ...int) string {
	b.m.Graph.SetInitializer(name, &tensor.Tensor{DType: tensor.Float32, Shape: shape})
	b.shapes[name] = shape
	return name
}

// constF adds a float initializer with data.
func (b *modelBuilder) constF(name string, data []float32, shape ...int) string {
	b.m.Graph.SetInitializer(name, tensor.FromFloat32(data, shape...))
	b.shapes[name] = shape
	return name
}

// constI adds an int64 initializer with data.
func (b *modelBuilder) constI(name string, data []int64, shape ...int) string {
	b.m.Graph.SetInitializer(name, tensor.FromInt64(data, shape...))
	b.shapes[name] = shape
	return name
}

// node adds a node whose (single) output is named after it.
func (b *modelBuilder) node(op, name string, inputs []string, out []int, attrs ...*graph.Attr) string {
	n := &graph.Node{Name: name, OpType: op, Inputs: inputs, Outputs: []string{name}}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	b.m.Graph.Nodes = append(b.m.Graph.Nodes, n)
	if out != nil {
		b.shapes[name] = out
	}
	return name
}

func aInts(name string, v ...int) *graph.Attr {
	a := &graph.Attr{Name: name, Type: graph.AttrInts}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}
func aInt(name string, v int) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInt, I: int64(v)}
}
func aFloat(name string, v float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloat, F: v}
}
func aString(name, v string) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrString, S: v}
}

// convSpec describes a 2-D Conv; zero fields mean 1 (k, s, d, group) or 0 (pads).
type convSpec struct {
	oc, kh, kw, sh, sw, dh, dw, group int
	pads                              [4]int // top, left, bottom, right
}

func or1(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// conv adds a Conv with weight and bias; the output size is ONNX's
// floor((in + pb + pe - d·(k-1) - 1)/s) + 1.
func (b *modelBuilder) conv(name, x string, c convSpec) string {
	xs := b.shapes[x]
	kh, kw, sh, sw, dh, dw, g := or1(c.kh), or1(c.kw), or1(c.sh), or1(c.sw), or1(c.dh), or1(c.dw), or1(c.group)
	oh := (xs[2]+c.pads[0]+c.pads[2]-dh*(kh-1)-1)/sh + 1
	ow := (xs[3]+c.pads[1]+c.pads[3]-dw*(kw-1)-1)/sw + 1
	w := b.weight(name+"_W", c.oc, xs[1]/g, kh, kw)
	bias := b.weight(name+"_B", c.oc)
	return b.node("Conv", name, []string{x, w, bias}, []int{xs[0], c.oc, oh, ow},
		aInts("kernel_shape", kh, kw), aInts("strides", sh, sw), aInts("dilations", dh, dw),
		aInts("pads", c.pads[0], c.pads[1], c.pads[2], c.pads[3]), aInt("group", g))
}

// same shape as input
func (b *modelBuilder) unary(op, name, x string, attrs ...*graph.Attr) string {
	return b.node(op, name, []string{x}, b.shapes[x], attrs...)
}

func (b *modelBuilder) pool(op, name, x string, k, s, p int) string {
	xs := b.shapes[x]
	oh := (xs[2]+2*p-k)/s + 1
	ow := (xs[3]+2*p-k)/s + 1
	return b.node(op, name, []string{x}, []int{xs[0], xs[1], oh, ow},
		aInts("kernel_shape", k, k), aInts("strides", s, s), aInts("pads", p, p, p, p))
}
