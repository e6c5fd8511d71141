package graph

import (
	"fmt"

	"fixq/core/tensor"
)

// Model is a decoded ONNX model.
type Model struct {
	IRVersion       int64
	ProducerName    string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	DocString       string
	// Opsets maps an operator-set domain ("" is ai.onnx) to its version.
	Opsets   map[string]int64
	Metadata map[string]string
	Graph    *Graph
}

// Opset is the ai.onnx opset version the model imports.
func (m *Model) Opset() int64 { return m.Opsets[""] }

// Graph is a computation graph.
type Graph struct {
	Name string
	// Inputs are the graph inputs that are not initializers.
	Inputs  []ValueInfo
	Outputs []ValueInfo
	// ValueInfo holds the optional type/shape annotations of intermediates.
	ValueInfo    []ValueInfo
	Nodes        []*Node
	Initializers map[string]*tensor.Tensor
	// InitializerOrder keeps the file's order so Encode is deterministic.
	InitializerOrder []string
}

// ValueInfo is a named, typed value with a possibly symbolic shape.
type ValueInfo struct {
	Name  string
	DType tensor.DType
	// Shape has one Dim per axis; nil means unknown rank.
	Shape []Dim
}

// Dim is one axis of a ValueInfo shape: a fixed size (Value >= 0) or a
// symbolic one (Value < 0, Param names it, possibly "").
type Dim struct {
	Value int64
	Param string
}

// Node is one operator application.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Inputs  []string // "" marks an omitted optional input
	Outputs []string
	Attrs   map[string]*Attr
	// AttrOrder keeps the file's attribute order for deterministic Encode.
	AttrOrder []string
	DocString string
}

// AttrType follows ONNX AttributeProto.AttributeType.
type AttrType int32

const (
	AttrUndefined AttrType = 0
	AttrFloat     AttrType = 1
	AttrInt       AttrType = 2
	AttrString    AttrType = 3
	AttrTensor    AttrType = 4
	AttrGraph     AttrType = 5
	AttrFloats    AttrType = 6
	AttrInts      AttrType = 7
	AttrStrings   AttrType = 8
)

func (t AttrType) String() string {
	switch t {
	case AttrFloat:
		return "float"
	case AttrInt:
		return "int"
	case AttrString:
		return "string"
	case AttrTensor:
		return "tensor"
	case AttrGraph:
		return "graph"
	case AttrFloats:
		return "floats"
	case AttrInts:
		return "ints"
	case AttrStrings:
		return "strings"
	}
	return fmt.Sprintf("attrtype(%d)", int32(t))
}

// Attr is a node attribute. Graph-valued attributes (If/Loop bodies) are
// recorded only as present (HasGraph) since fixq does not run control flow.
type Attr struct {
	Name     string
	Type     AttrType
	F        float32
	I        int64
	S        string
	T        *tensor.Tensor
	Floats   []float32
	Ints     []int64
	Strings  []string
	HasGraph bool
}

// Producers maps each value name to the node that outputs it.
func (g *Graph) Producers() map[string]*Node {
	m := make(map[string]*Node, len(g.Nodes))
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o != "" {
				m[o] = n
			}
		}
	}
	return m
}

// Consumers maps each value name to the nodes that read it, in node order.
func (g *Graph) Consumers() map[string][]*Node {
	m := make(map[string][]*Node)
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" {
				m[in] = append(m[in], n)
			}
		}
	}
	return m
}

// NodeByName finds a node, or nil.
func (g *Graph) NodeByName(name string) *Node {
	for _, n := range g.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// IsOutput reports whether name is a graph output.
func (g *Graph) IsOutput(name string) bool {
	for _, o := range g.Outputs {
		if o.Name == name {
			return true
		}
	}
	return false
}

// SetInitializer adds or replaces an initializer, keeping order stable.
func (g *Graph) SetInitializer(name string, t *tensor.Tensor) {
	if g.Initializers == nil {
		g.Initializers = map[string]*tensor.Tensor{}
	}
	if _, ok := g.Initializers[name]; !ok {
		g.InitializerOrder = append(g.InitializerOrder, name)
	}
	g.Initializers[name] = t
}

// RemoveInitializer deletes an initializer if present.
func (g *Graph) RemoveInitializer(name string) {
	if _, ok := g.Initializers[name]; !ok {
		return
	}
	delete(g.Initializers, name)
	for i, n := range g.InitializerOrder {
		if n == name {
			g.InitializerOrder = append(g.InitializerOrder[:i], g.InitializerOrder[i+1:]...)
			break
		}
	}
}
