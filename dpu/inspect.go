package dpu

import (
	"fmt"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Device is where a node runs (DPU-ARITHMETIC.md §5.2 step 5), plus CONST for
// nodes that compute only from constants and static shapes.
type Device string

const (
	DeviceDPU  Device = "DPU"
	DeviceCPU  Device = "CPU"
	DeviceUser Device = "USER"
	// DeviceConst marks shape-computing subgraphs (Shape, Gather, Cast,
	// Constant, ... on constants): they should have been folded away and
	// cost nothing at run time. They belong to no subgraph.
	DeviceConst Device = "CONST"
)

// Engine is the DPU engine a DPU node uses (§4.2).
type Engine string

const (
	EngineConv    Engine = "conv"
	EngineALU     Engine = "alu"
	EngineEltwise Engine = "eltwise"
	// EngineFused: folded into its producer (an activation fused into a
	// conv, a BatchNormalization or constant Add/Mul folded into weights).
	EngineFused Engine = "fused"
	// EngineLayout: data movement only (Reshape, Flatten, Concat, zero Pad,
	// nearest Resize); the compiler handles it in load/save addressing.
	EngineLayout Engine = "layout"
	// EngineSave: argmax in the save engine.
	EngineSave Engine = "save"
)

// LayerKind names the computation of a DPU node for the latency model.
type LayerKind string

const (
	KindConv                    LayerKind = "conv" // also Gemm/MatMul as 1x1 conv
	KindTransposedConv          LayerKind = "transposed_conv"
	KindDepthwiseConv           LayerKind = "depthwise_conv"
	KindDepthwiseTransposedConv LayerKind = "depthwise_transposed_conv" // also bilinear Resize
	KindMaxPool                 LayerKind = "max_pool"
	KindAvgPool                 LayerKind = "avg_pool"
	KindEltwise                 LayerKind = "eltwise"
	// KindALUPointwise: a per-pixel ALU op (standalone LeakyRelu,
	// HardSigmoid, HardSwish, BatchNormalization as a 1x1 depthwise scale).
	KindALUPointwise LayerKind = "alu_pointwise"
)

// Layer is the geometry of a DPU compute node, in ONNX NCHW terms.
type Layer struct {
	Kind      LayerKind `json:"kind"`
	Batch     int       `json:"batch"`
	InC       int       `json:"in_channels"`
	InH       int       `json:"in_h"`
	InW       int       `json:"in_w"`
	OutC      int       `json:"out_channels"`
	OutH      int       `json:"out_h"`
	OutW      int       `json:"out_w"`
	KernelH   int       `json:"kernel_h"`
	KernelW   int       `json:"kernel_w"`
	StrideH   int       `json:"stride_h"`
	StrideW   int       `json:"stride_w"`
	DilationH int       `json:"dilation_h"`
	DilationW int       `json:"dilation_w"`
	// Pads are top, left, bottom, right.
	Pads  [4]int `json:"pads"`
	Group int    `json:"group"`
	// Weights counts int8 parameters (weights plus bias) loaded from DDR.
	Weights int64 `json:"weights"`
	// EltwiseInputs is the number of tensors an eltwise op reads.
	EltwiseInputs int `json:"eltwise_inputs,omitempty"`
	// Nonlinear is the fused activation, in target terms (relu, relu_six,
	// leaky_relu, hsigmoid, hswish), or "".
	Nonlinear string `json:"nonlinear,omitempty"`
}

// MACs is the multiply-accumulate count of the layer (0 for pools and
// eltwise ops, which the latency model counts as ops separately).
func (l *Layer) MACs() int64 {
	if l == nil {
		return 0
	}
	n := int64(l.Batch)
	switch l.Kind {
	case KindConv:
		return n * int64(l.OutH*l.OutW) * int64(l.OutC) * int64(l.InC/max(l.Group, 1)) * int64(l.KernelH*l.KernelW)
	case KindTransposedConv:
		// Every input pixel scatters a KH·KW·OC/g patch.
		return n * int64(l.InH*l.InW) * int64(l.InC) * int64(l.OutC/max(l.Group, 1)) * int64(l.KernelH*l.KernelW)
	case KindDepthwiseConv:
		return n * int64(l.OutH*l.OutW) * int64(l.OutC) * int64(l.KernelH*l.KernelW)
	case KindDepthwiseTransposedConv:
		return n * int64(l.InH*l.InW) * int64(l.InC) * int64(l.KernelH*l.KernelW)
	}
	return 0
}

// NodeReport is the Inspector's verdict on one node (or graph input).
type NodeReport struct {
	Name   string   `json:"name"`
	OpType string   `json:"op_type"`
	Inputs []string `json:"inputs,omitempty"`
	// Outputs are the node's output values; OutputShape is the first one's
	// static shape (ONNX NCHW).
	Outputs     []string `json:"outputs,omitempty"`
	OutputShape []int    `json:"output_shape,omitempty"`
	Device      Device   `json:"device"`
	Engine      Engine   `json:"engine,omitempty"`
	// FusedInto names the node this one is folded into (Engine fused).
	FusedInto string `json:"fused_into,omitempty"`
	// Constraint is the hardware constraint that sent the node to the CPU
	// (§5.3 style), empty for other devices.
	Constraint string `json:"constraint,omitempty"`
	// Note is extra information (approximations, why CONST, ...).
	Note  string `json:"note,omitempty"`
	Layer *Layer `json:"layer,omitempty"`
	// Subgraph indexes Report.Subgraphs; -1 for USER and CONST nodes.
	Subgraph int `json:"subgraph"`
}

// Subgraph is a maximal connected set of nodes on one device.
type Subgraph struct {
	ID     int      `json:"id"`
	Device Device   `json:"device"`
	Nodes  []string `json:"nodes"`
}

// Summary counts nodes and subgraphs.
type Summary struct {
	DPUNodes     int `json:"dpu_nodes"`
	CPUNodes     int `json:"cpu_nodes"`
	UserNodes    int `json:"user_nodes"`
	ConstNodes   int `json:"const_nodes"`
	DPUSubgraphs int `json:"dpu_subgraphs"`
	CPUSubgraphs int `json:"cpu_subgraphs"`
}

// Report is the Inspector's result. Its JSON form (encoding/json of this
// struct) is the stable program interface: field names are the json tags.
type Report struct {
	Target    string       `json:"target"`
	Graph     string       `json:"graph"`
	Nodes     []NodeReport `json:"nodes"`
	Subgraphs []Subgraph   `json:"subgraphs"`
	Summary   Summary      `json:"summary"`
}

// Node returns the report of the named node or graph input, or nil.
func (r *Report) Node(name string) *NodeReport {
	for i := range r.Nodes {
		if r.Nodes[i].Name == name {
			return &r.Nodes[i]
		}
	}
	return nil
}

// inspector holds the state of one Inspect call.
type inspector struct {
	g      *graph.Graph
	opset  int64
	shapes map[string][]int
	t      *Target
	// prodIdx maps a value to the report index of its producer (graph
	// inputs included); consumers maps a value to the nodes reading it.
	prodIdx   map[string]int
	consumers map[string][]*graph.Node
	consts    map[string]bool // values computable from constants/static shapes
	constNode map[string]*graph.Node
	byName    map[string]int // report index by node name
	nodes     []NodeReport
}

// Inspect assigns every node of m to DPU, CPU, USER or CONST for target t
// (nil: DefaultTargetName), gives the hardware constraint behind every CPU
// node and counts the DPU/CPU subgraphs (DPU-ARITHMETIC.md §4.3-4.4, §5).
// shapes holds the static shape of every value (core/engine.InferShapes);
// initializers missing from it are taken from their tensors. Only shapes
// and small constant operands (Clip bounds, Pad amounts, Resize scales)
// are read, never weight data. The model is not modified. Nodes must be in
// topological order (graph.Validate sorts them). A missing shape is an
// error naming the node and value.
func Inspect(m *graph.Model, shapes map[string][]int, t *Target) (*Report, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("dpu: inspect: no graph")
	}
	if t == nil {
		var err error
		if t, err = LookupTarget(""); err != nil {
			return nil, err
		}
	}
	g := m.Graph
	in := &inspector{g: g, opset: m.Opset(), shapes: shapes, t: t,
		prodIdx: map[string]int{}, consumers: g.Consumers(), consts: map[string]bool{},
		constNode: map[string]*graph.Node{}, byName: map[string]int{}}
	for name := range g.Initializers {
		in.consts[name] = true
	}
	for _, vi := range g.Inputs {
		if g.Initializers[vi.Name] != nil {
			continue
		}
		in.prodIdx[vi.Name] = len(in.nodes)
		in.nodes = append(in.nodes, NodeReport{Name: vi.Name, OpType: "Input", Outputs: []string{vi.Name},
			OutputShape: in.shapes[vi.Name], Device: DeviceUser, Subgraph: -1})
	}
	for _, n := range g.Nodes {
		for _, v := range n.Inputs {
			if v == "" {
				continue
			}
			if _, ok := in.prodIdx[v]; !ok && !in.consts[v] {
				return nil, fmt.Errorf("dpu: node %q (%s) reads %q before it is produced (nodes must be in topological order)", n.Name, n.OpType, v)
			}
		}
		nr := NodeReport{Name: n.Name, OpType: n.OpType, Inputs: nonEmpty(n.Inputs), Outputs: nonEmpty(n.Outputs), Subgraph: -1}
		if len(n.Outputs) > 0 && n.Outputs[0] != "" {
			nr.OutputShape = in.shapes[n.Outputs[0]]
		}
		idx := len(in.nodes)
		in.nodes = append(in.nodes, nr)
		in.byName[n.Name] = idx
		if err := in.assign(n, idx); err != nil {
			return nil, err
		}
		for _, o := range n.Outputs {
			if o != "" {
				in.prodIdx[o] = idx
				if in.nodes[idx].Device == DeviceConst {
					in.consts[o] = true
					in.constNode[o] = n
				}
			}
		}
	}
	rep := &Report{Target: t.Name, Graph: g.Name, Nodes: in.nodes}
	in.partition(rep)
	return rep, nil
}

func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// shape returns the static shape of v: from the shapes map, else from the
// initializer.
func (in *inspector) shape(n *graph.Node, v string) ([]int, error) {
	if s, ok := in.shapes[v]; ok {
		return s, nil
	}
	if t := in.g.Initializers[v]; t != nil {
		return t.Shape, nil
	}
	return nil, n.Errorf("dpu: no static shape for %q", v)
}

// constValue returns the tensor of a constant value (an initializer or a
// Constant node's value attribute), or nil if v is not such a constant.
func (in *inspector) constValue(v string) *tensor.Tensor {
	if t := in.g.Initializers[v]; t != nil {
		return t
	}
	if n := in.constNode[v]; n != nil && n.OpType == "Constant" {
		if a := n.Attrs["value"]; a != nil && a.T != nil {
			return a.T
		}
	}
	return nil
}

// producer returns the report of v's producer (nil for initializers).
func (in *inspector) producer(v string) *NodeReport {
	if i, ok := in.prodIdx[v]; ok {
		return &in.nodes[i]
	}
	return nil
}

// partition unions connected nodes of the same device (DPU or CPU) and
// fills Subgraphs and Summary.
func (in *inspector) partition(rep *Report) {
	parent := make([]int, len(rep.Nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range rep.Nodes {
		nr := &rep.Nodes[i]
		if nr.Device != DeviceDPU && nr.Device != DeviceCPU {
			continue
		}
		for _, v := range nr.Inputs {
			if j, ok := in.prodIdx[v]; ok && rep.Nodes[j].Device == nr.Device {
				parent[find(i)] = find(j)
			}
		}
	}
	ids := map[int]int{}
	for i := range rep.Nodes {
		nr := &rep.Nodes[i]
		switch nr.Device {
		case DeviceDPU:
			rep.Summary.DPUNodes++
		case DeviceCPU:
			rep.Summary.CPUNodes++
		case DeviceUser:
			rep.Summary.UserNodes++
			continue
		default:
			rep.Summary.ConstNodes++
			continue
		}
		root := find(i)
		id, ok := ids[root]
		if !ok {
			id = len(rep.Subgraphs)
			ids[root] = id
			rep.Subgraphs = append(rep.Subgraphs, Subgraph{ID: id, Device: nr.Device})
			if nr.Device == DeviceDPU {
				rep.Summary.DPUSubgraphs++
			} else {
				rep.Summary.CPUSubgraphs++
			}
		}
		nr.Subgraph = id
		rep.Subgraphs[id].Nodes = append(rep.Subgraphs[id].Nodes, nr.Name)
	}
}
