package quant

import (
	"fmt"
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// PointKind says what a quantization point quantizes.
type PointKind int

const (
	// KindInput is a model input: maxmin, DPU_ROUND (§1.3 item 3, §3.12).
	KindInput PointKind = iota + 1
	// KindActivation is a node output: the configured method per
	// calibration batch, then the mode; DPU_ROUND.
	KindActivation
	// KindWeight and KindBias are conv-like parameters: searched once,
	// std_round (§1.2, §1.4).
	KindWeight
	KindBias
	// KindConst is any other constant data input of a DPU node (say the
	// second operand of an eltwise Add), treated as a parameter.
	KindConst
)

func (k PointKind) String() string {
	switch k {
	case KindInput:
		return "input"
	case KindActivation:
		return "activation"
	case KindWeight:
		return "weight"
	case KindBias:
		return "bias"
	case KindConst:
		return "const"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

func (k PointKind) isParam() bool { return k == KindWeight || k == KindBias || k == KindConst }

// Point is one quantized tensor.
type Point struct {
	Tensor string
	Kind   PointKind
	// Node is the node that produces the tensor (activations) or the first
	// node that reads it (inputs, parameters).
	Node   string
	Method Method
	Round  RoundMode
	// Inherit, if set, names the tensor whose fix_pos this one copies:
	// the output of a data-movement op (MaxPool, Reshape, nearest Resize,
	// Pad, ...; §3.8-3.10).
	Inherit string
	// FixPos is the final fix_pos (after calibration and repairs).
	FixPos int
	hist   fpHistogram
	// Q holds the int8 values of a parameter (nil for activations).
	Q []int8
}

// Approx names the DPU approximation a node computes (§3).
type Approx string

const (
	ApproxNone        Approx = ""
	ApproxLeakyRelu   Approx = "leaky_relu_26_256"      // §3.1
	ApproxHardSigmoid Approx = "hard_sigmoid_2731_2^14" // §3.2
	ApproxHardSwish   Approx = "hard_swish_fp7"         // §3.3
	ApproxAvgPool     Approx = "avg_pool_reciprocal"    // §3.4, §3.5
)

// role is how the quantizer treats a node.
type role int

const (
	roleCPU         role = iota // float on the CPU side; outputs not quantized
	roleConvLike                // Conv, ConvTranspose, Gemm, MatMul with constant B (§2.1)
	roleAct                     // Relu, Clip(0,6), LeakyRelu 0.1: fusable into a conv (§2.1)
	roleCompute                 // its own output fix_pos: Add, Mul, Concat, HardSigmoid, ...
	rolePassThrough             // data movement: output fix_pos = input fix_pos (§3.8-3.10)
)

// NodePlan is the quantizer's decision for one node.
type NodePlan struct {
	Node *graph.Node
	role role
	// Reason says why a node stays in float on the CPU side.
	Reason string
	// FusedInto names the activation this node's output feeds directly
	// (soft fusion, §2.1): its own output is not quantized.
	FusedInto string
	// FusedFrom names the conv-like (or Add) node fused into this one.
	FusedFrom string
	Approx    Approx
	// AvgN, AvgM and AvgRec describe the reciprocal N/2^M of a window of
	// AvgRec elements (ApproxAvgPool).
	AvgN, AvgM, AvgRec int
	// Input, Weight and Bias are the tensors of a conv-like node; Output is
	// the quantized tensor at the end of its fused group.
	Input, Weight, Bias, Output string
}

// OnDPU reports whether the node computes in the quantized domain.
func (np *NodePlan) OnDPU() bool { return np.role != roleCPU }

// Plan is the set of quantization points of a prepared model and the
// per-node decisions. Points and Nodes are in graph (topological) order.
type Plan struct {
	Points   []*Point
	Nodes    []*NodePlan
	byTensor map[string]*Point
	byNode   map[string]*NodePlan
	Warnings []string
}

// Point returns the point of a tensor, or nil if it is not quantized.
func (p *Plan) Point(tensor string) *Point { return p.byTensor[tensor] }

// NodePlan returns the plan of a node, or nil.
func (p *Plan) NodePlan(name string) *NodePlan { return p.byNode[name] }

// root follows Inherit links to the point that owns the fix_pos.
func (p *Plan) root(pt *Point) *Point {
	for i := 0; pt != nil && pt.Inherit != "" && i < len(p.Points); i++ {
		pt = p.byTensor[pt.Inherit]
	}
	return pt
}

// TensorMeta is what the planner knows of a value, from a float probe run.
type TensorMeta struct {
	DType tensor.DType
	Shape []int
}

// buildPlan decides the quantization points of a prepared model (§2.1,
// §3). meta gives every value's dtype and shape (see probe); values
// missing from it are taken as float32 of unknown shape.
func buildPlan(m *graph.Model, cfg *Config, meta map[string]TensorMeta) (*Plan, error) {
	g := m.Graph
	p := &Plan{byTensor: map[string]*Point{}, byNode: map[string]*NodePlan{}}
	isFloat := func(v string) bool {
		if t, ok := g.Initializers[v]; ok {
			return t.DType == tensor.Float32
		}
		if mt, ok := meta[v]; ok {
			return mt.DType == tensor.Float32
		}
		for _, vi := range g.Inputs {
			if vi.Name == v {
				return vi.DType == tensor.Float32 || vi.DType == tensor.Undefined
			}
		}
		return true
	}
	graphInput := map[string]bool{}
	for _, vi := range g.Inputs {
		graphInput[vi.Name] = true
	}
	cons := g.Consumers()
	prod := g.Producers()

	// 1. Classify nodes. quantized[v] tracks values that will carry a
	// fix_pos, so data-movement nodes know whether they move int8 data.
	quantized := map[string]bool{}
	for _, vi := range g.Inputs {
		if !isFloat(vi.Name) {
			continue
		}
		for _, c := range cons[vi.Name] {
			if r, _ := classify(m, c, meta, isFloat); r != roleCPU && !cfg.For(c).Float {
				quantized[vi.Name] = true
			}
		}
	}
	for _, n := range g.Nodes {
		np := &NodePlan{Node: n}
		r, why := classify(m, n, meta, isFloat)
		set := cfg.For(n)
		switch {
		case set.Float:
			r, why = roleCPU, "kept in float by the config ("+set.FloatBy+")"
		case r == rolePassThrough && !quantized[n.Inputs[0]]:
			r, why = roleCPU, "moves float data"
		}
		np.role, np.Reason = r, why
		if r != roleCPU {
			if err := planApprox(m, np, meta); err != nil {
				return nil, err
			}
			for _, o := range n.Outputs {
				if o != "" && isFloat(o) {
					quantized[o] = true
				}
			}
		}
		if w := warnFor(m, n, r); w != "" {
			p.Warnings = append(p.Warnings, w)
		}
		p.Nodes = append(p.Nodes, np)
		p.byNode[n.Name] = np
	}

	// 2. Soft fusion (§2.1): a conv-like node (or an Add, whose eltwise
	// engine has a ReLU) whose only reader is a fusable activation.
	for _, np := range p.Nodes {
		n := np.Node
		if np.role != roleConvLike && !(np.role == roleCompute && n.OpType == "Add") {
			continue
		}
		o := n.Outputs[0]
		cs := cons[o]
		if len(cs) != 1 || g.IsOutput(o) {
			continue
		}
		act := p.byNode[cs[0].Name]
		if act.role != roleAct || act.Node.Inputs[0] != o {
			continue
		}
		if n.OpType == "Add" && act.Node.OpType != "Relu" {
			continue
		}
		np.FusedInto, act.FusedFrom = act.Node.Name, n.Name
	}

	// 3. Points, in graph order.
	add := func(pt *Point) *Point {
		if old := p.byTensor[pt.Tensor]; old != nil {
			return old
		}
		p.Points = append(p.Points, pt)
		p.byTensor[pt.Tensor] = pt
		return pt
	}
	for _, np := range p.Nodes {
		n := np.Node
		if np.role == roleCPU {
			continue
		}
		set := cfg.For(n)
		if np.role == roleConvLike {
			np.Input, np.Weight = n.Inputs[0], n.Inputs[1]
			add(&Point{Tensor: np.Weight, Kind: KindWeight, Node: n.Name, Method: set.WeightMethod, Round: RoundStd})
			if b := bias(n); b != "" {
				np.Bias = b
				add(&Point{Tensor: b, Kind: KindBias, Node: n.Name, Method: set.WeightMethod, Round: RoundStd})
			}
		}
		for _, k := range dataInputs(n) {
			v := n.Inputs[k]
			if v == "" || !isFloat(v) || p.byTensor[v] != nil {
				continue
			}
			if pr := prod[v]; pr != nil && p.byNode[pr.Name].FusedInto == n.Name {
				continue // the fused conv's output: not quantized (§2.1)
			}
			switch {
			case graphInput[v]:
				add(&Point{Tensor: v, Kind: KindInput, Node: n.Name, Method: MethodMaxMin, Round: RoundDPU})
			case g.Initializers[v] != nil:
				add(&Point{Tensor: v, Kind: KindConst, Node: n.Name, Method: set.WeightMethod, Round: RoundStd})
			default:
				// A float (CPU-side) value entering the DPU.
				pm, by := set.Method, n.Name
				if pr := prod[v]; pr != nil {
					pm, by = cfg.For(pr).Method, pr.Name
				}
				add(&Point{Tensor: v, Kind: KindActivation, Node: by, Method: pm, Round: RoundDPU})
			}
		}
		if np.FusedInto != "" {
			continue
		}
		for _, o := range n.Outputs {
			if o == "" || !isFloat(o) {
				continue
			}
			pt := &Point{Tensor: o, Kind: KindActivation, Node: n.Name, Method: set.Method, Round: RoundDPU}
			if np.role == rolePassThrough {
				pt.Inherit = n.Inputs[0]
			}
			add(pt)
		}
		np.Output = n.Outputs[0]
		if np.FusedFrom != "" {
			p.byNode[np.FusedFrom].Output = np.Output
		}
	}
	return p, nil
}

// bias returns a conv-like node's bias input name, or "".
func bias(n *graph.Node) string {
	if len(n.Inputs) > 2 {
		return n.Inputs[2]
	}
	return ""
}

// dataInputs lists the inputs that carry activations (not shapes, scales,
// indices, weights or clip bounds).
func dataInputs(n *graph.Node) []int {
	switch n.OpType {
	case "Add", "Mul", "Sum", "Concat":
		idx := make([]int, len(n.Inputs))
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	if len(n.Inputs) == 0 {
		return nil
	}
	return []int{0}
}

// Op families. Everything else runs in float on the CPU side (§4.4).
var (
	convLikeOps    = map[string]bool{"Conv": true, "ConvTranspose": true, "Gemm": true, "MatMul": true}
	passThroughOps = map[string]bool{"MaxPool": true, "GlobalMaxPool": true, "Reshape": true, "Flatten": true,
		"Squeeze": true, "Unsqueeze": true, "Transpose": true, "Pad": true, "Slice": true, "Split": true,
		"Gather": true, "DepthToSpace": true, "SpaceToDepth": true, "Identity": true}
)

// classify gives a node's role, or roleCPU with the reason.
func classify(m *graph.Model, n *graph.Node, meta map[string]TensorMeta, isFloat func(string) bool) (role, string) {
	g := m.Graph
	for _, k := range dataInputs(n) {
		if v := n.Inputs[k]; v != "" && !isFloat(v) {
			return roleCPU, "non-float data"
		}
	}
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return roleCPU, "custom-domain op"
	}
	isConst := func(i int) bool { return i < len(n.Inputs) && g.Initializers[n.Inputs[i]] != nil }
	switch {
	case convLikeOps[n.OpType]:
		if len(n.Inputs) < 2 || !isConst(1) {
			return roleCPU, "weights are not constant"
		}
		if b := bias(n); b != "" && !isConst(2) {
			return roleCPU, "bias is not constant"
		}
		if n.OpType == "Gemm" {
			ta, _ := n.AttrInt("transA", 0)
			alpha, _ := n.AttrFloat("alpha", 1)
			beta, _ := n.AttrFloat("beta", 1)
			if ta != 0 || alpha != 1 || (bias(n) != "" && beta != 1) {
				return roleCPU, "Gemm with transA or alpha/beta != 1"
			}
		}
		if n.OpType == "MatMul" && g.Initializers[n.Inputs[1]].Rank() != 2 {
			return roleCPU, "MatMul weights are not 2-D"
		}
		return roleConvLike, ""
	case passThroughOps[n.OpType]:
		return rolePassThrough, ""
	}
	switch n.OpType {
	case "Relu":
		return roleAct, ""
	case "LeakyRelu":
		a, _ := n.AttrFloat("alpha", 0.01)
		if !LeakyReluOnDPU(a) {
			return roleCPU, fmt.Sprintf("LeakyRelu alpha %g: the DPU supports only 0.1 (26/256, §3.1)", a)
		}
		return roleAct, ""
	case "Clip":
		lo, hi, ok := m.ClipBounds(n)
		if ok && lo == 0 && (hi == 6 || math.IsInf(hi, 1)) {
			return roleAct, ""
		}
		return roleCPU, "Clip bounds other than relu/relu6"
	case "HardSigmoid":
		a, _ := n.AttrFloat("alpha", 0.2)
		b, _ := n.AttrFloat("beta", 0.5)
		if !HardSigmoidOnDPU(a, b) {
			return roleCPU, fmt.Sprintf("HardSigmoid alpha %g beta %g: the DPU computes only relu6(x+3)/6 (§3.2)", a, b)
		}
		return roleCompute, ""
	case "HardSwish", "Add", "Mul", "Sum", "Concat", "GlobalAveragePool":
		return roleCompute, ""
	case "AveragePool":
		cip, _ := n.AttrInt("count_include_pad", 0)
		ceil, _ := n.AttrInt("ceil_mode", 0)
		pads, _ := n.AttrInts("pads", nil)
		autoPad, _ := n.AttrString("auto_pad", "NOTSET")
		padded := autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"
		for _, v := range pads {
			padded = padded || v != 0
		}
		if ceil != 0 {
			return roleCPU, "AveragePool with ceil_mode: partial windows have no DPU reciprocal"
		}
		if padded && cip == 0 {
			return roleCPU, "AveragePool with padding and count_include_pad=0: the DPU divides by the full window (§3.4)"
		}
		return roleCompute, ""
	case "ReduceMean":
		if spatialMean(m, n, meta) {
			return roleCompute, ""
		}
		return roleCPU, "ReduceMean over axes other than H,W of a 4-D tensor"
	case "Resize", "Upsample":
		mode, _ := n.AttrString("mode", "nearest")
		switch mode {
		case "nearest":
			return rolePassThrough, ""
		case "linear", "bilinear":
			return roleCompute, ""
		}
		return roleCPU, "Resize mode " + mode
	}
	return roleCPU, "not a DPU op"
}

// warnFor returns a warning for nodes a user would expect on the DPU.
func warnFor(m *graph.Model, n *graph.Node, r role) string {
	if r != roleCPU {
		return ""
	}
	switch n.OpType {
	case "LeakyRelu", "HardSigmoid", "AveragePool":
		_, why := classify(m, n, nil, func(string) bool { return true })
		return fmt.Sprintf("node %q (%s): kept in float on the CPU: %s", n.Name, n.OpType, why)
	}
	return ""
}

// planApprox fills the approximation of a DPU node.
func planApprox(m *graph.Model, np *NodePlan, meta map[string]TensorMeta) error {
	n := np.Node
	switch n.OpType {
	case "LeakyRelu":
		np.Approx = ApproxLeakyRelu
	case "HardSigmoid":
		np.Approx = ApproxHardSigmoid
	case "HardSwish":
		np.Approx = ApproxHardSwish
	case "AveragePool":
		k, err := n.AttrInts("kernel_shape", nil)
		if err != nil {
			return err
		}
		if len(k) != 2 {
			return n.Errorf("kernel_shape %v: the DPU average pool is 2-D", k)
		}
		np.Approx, np.AvgRec = ApproxAvgPool, int(k[0]*k[1])
		np.AvgN, np.AvgM = AvgPoolMultiplier(int(k[0]), int(k[1]))
	case "GlobalAveragePool", "ReduceMean":
		s := meta[n.Inputs[0]].Shape
		if len(s) != 4 {
			return n.Errorf("input shape %v unknown or not 4-D: cannot size the average window", s)
		}
		np.Approx, np.AvgRec = ApproxAvgPool, s[2]*s[3]
		if n.OpType == "GlobalAveragePool" {
			// adaptive_avg_pool: table then search (§3.4)
			np.AvgN, np.AvgM = AvgPoolMultiplier(s[2], s[3])
		} else {
			// torch.mean: search only (§3.5)
			np.AvgN, np.AvgM = AvgReciprocal(np.AvgRec)
		}
	}
	return nil
}

// spatialMean reports whether a ReduceMean averages H and W of a 4-D input.
func spatialMean(m *graph.Model, n *graph.Node, meta map[string]TensorMeta) bool {
	axes, _ := n.AttrInts("axes", nil)
	if len(n.Inputs) > 1 && n.Inputs[1] != "" {
		t := m.Graph.Initializers[n.Inputs[1]]
		if t == nil {
			return false
		}
		v, err := t.AsInt64s()
		if err != nil {
			return false
		}
		axes = v
	}
	s, ok := meta[n.Inputs[0]]
	if !ok || len(s.Shape) != 4 || len(axes) != 2 {
		return false
	}
	seen := map[int64]bool{}
	for _, a := range axes {
		if a < 0 {
			a += 4
		}
		seen[a] = true
	}
	return seen[2] && seen[3]
}
