package quant

import (
	"io"
	"math/rand"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Small hand-built models for unit tests.

type mb struct{ m *graph.Model }

func newModel(opset int64, inputs ...graph.ValueInfo) *mb {
	return &mb{m: &graph.Model{IRVersion: 8, Opsets: map[string]int64{"": opset},
		Graph: &graph.Graph{Name: "t", Inputs: inputs, Initializers: map[string]*tensor.Tensor{}}}}
}

func fin(name string, dims ...int64) graph.ValueInfo {
	vi := graph.ValueInfo{Name: name, DType: tensor.Float32}
	for _, d := range dims {
		vi.Shape = append(vi.Shape, graph.Dim{Value: d})
	}
	return vi
}

func (b *mb) node(name, op string, in, out []string, attrs ...*graph.Attr) *graph.Node {
	n := &graph.Node{Name: name, OpType: op, Inputs: in, Outputs: out}
	for _, a := range attrs {
		n.SetAttr(a)
	}
	b.m.Graph.Nodes = append(b.m.Graph.Nodes, n)
	return n
}

func (b *mb) init(name string, t *tensor.Tensor) { b.m.Graph.SetInitializer(name, t) }

func (b *mb) randInit(r *rand.Rand, name string, scale float32, shape ...int) {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = (r.Float32()*2 - 1) * scale
	}
	b.init(name, t)
}

func (b *mb) outputs(names ...string) *graph.Model {
	for _, n := range names {
		b.m.Graph.Outputs = append(b.m.Graph.Outputs, graph.ValueInfo{Name: n, DType: tensor.Float32})
	}
	return b.validate()
}

// outputsVI declares outputs with shapes (onnx.checker wants them).
func (b *mb) outputsVI(vis ...graph.ValueInfo) *graph.Model {
	b.m.Graph.Outputs = append(b.m.Graph.Outputs, vis...)
	return b.validate()
}

func (b *mb) validate() *graph.Model {
	if err := b.m.Graph.Validate(); err != nil {
		panic(err)
	}
	return b.m
}

func ints(name string, v ...int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInts, Ints: v}
}
func aint(name string, v int64) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrInt, I: v}
}
func aflt(name string, v float32) *graph.Attr {
	return &graph.Attr{Name: name, Type: graph.AttrFloat, F: v}
}
func astr(name, v string) *graph.Attr { return &graph.Attr{Name: name, Type: graph.AttrString, S: v} }

func scalar(v float32) *tensor.Tensor { return tensor.FromFloat32([]float32{v}) }

func randInput(r *rand.Rand, scale float32, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = (r.Float32()*2 - 1) * scale
	}
	return t
}

func ioEOF() error { return io.EOF }
