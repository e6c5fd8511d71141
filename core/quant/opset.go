package quant

import (
	"fmt"
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// upgradeOpset raises an ai.onnx opset 7-12 model to opset `to` (13) for
// the QDQ export, rewriting the operators whose signature changed on the
// way: attributes that became inputs (Clip 11, Pad 11, Slice 10, Squeeze /
// Unsqueeze / Split / ReduceSum 13), Upsample (deprecated in 10) and
// Resize-10 to Resize-13, and Softmax-family axis semantics (13). Ops not
// listed kept their meaning between these versions. meta gives ranks for
// Softmax. Other domains are left alone.
func upgradeOpset(m *graph.Model, to int64, meta map[string]TensorMeta) error {
	from := m.Opset()
	if from < 7 {
		return fmt.Errorf("quant: opset %d is too old to export as QDQ (need >= 7)", from)
	}
	g := m.Graph
	u := &upgrader{g: g, used: usedNames(g)}
	var nodes []*graph.Node
	for _, n := range g.Nodes {
		if n.Domain != "" && n.Domain != "ai.onnx" {
			nodes = append(nodes, n)
			continue
		}
		out, err := u.node(n, from, meta)
		if err != nil {
			return err
		}
		nodes = append(nodes, out...)
	}
	g.Nodes = nodes
	m.Opsets[""] = to
	return nil
}

type upgrader struct {
	g    *graph.Graph
	used map[string]bool
}

func (u *upgrader) name(base string) string {
	s := base
	for k := 2; u.used[s]; k++ {
		s = fmt.Sprintf("%s_%d", base, k)
	}
	u.used[s] = true
	return s
}

// attrToInput moves attribute attr of n into a new initializer input at
// position pos (filling skipped optional inputs with ""). The attribute is
// removed. ok is false when n has no such attribute.
func (u *upgrader) attrToInput(n *graph.Node, attr string, pos int, t *tensor.Tensor) {
	name := u.name(n.Name + "_" + attr)
	u.g.SetInitializer(name, t)
	for len(n.Inputs) <= pos {
		n.Inputs = append(n.Inputs, "")
	}
	n.Inputs[pos] = name
	removeAttr(n, attr)
}

func removeAttr(n *graph.Node, name string) {
	delete(n.Attrs, name)
	for i, a := range n.AttrOrder {
		if a == name {
			n.AttrOrder = append(n.AttrOrder[:i], n.AttrOrder[i+1:]...)
			break
		}
	}
}

func (u *upgrader) ints(n *graph.Node, attr string, pos int) error {
	if !n.Has(attr) {
		return nil
	}
	v, err := n.AttrInts(attr, nil)
	if err != nil {
		return err
	}
	u.attrToInput(n, attr, pos, tensor.FromInt64(append([]int64(nil), v...), len(v)))
	return nil
}

func (u *upgrader) node(n *graph.Node, from int64, meta map[string]TensorMeta) ([]*graph.Node, error) {
	one := []*graph.Node{n}
	switch n.OpType {
	case "Clip":
		if from >= 11 {
			return one, nil
		}
		lo, err1 := n.AttrFloat("min", float32(math.Inf(-1)))
		hi, err2 := n.AttrFloat("max", float32(math.Inf(1)))
		if err1 != nil || err2 != nil {
			return nil, n.Errorf("bad min/max attributes")
		}
		hasLo, hasHi := n.Has("min"), n.Has("max")
		if hasLo {
			u.attrToInput(n, "min", 1, tensor.FromFloat32([]float32{lo}))
		}
		if hasHi {
			u.attrToInput(n, "max", 2, tensor.FromFloat32([]float32{hi}))
		}
		return one, nil
	case "Pad":
		if from >= 11 {
			return one, nil
		}
		pads, err := n.AttrInts("pads", nil)
		if err != nil || pads == nil {
			return nil, n.Errorf("Pad without pads attribute")
		}
		val, _ := n.AttrFloat("value", 0)
		u.attrToInput(n, "pads", 1, tensor.FromInt64(append([]int64(nil), pads...), len(pads)))
		if n.Has("value") {
			u.attrToInput(n, "value", 2, tensor.FromFloat32([]float32{val}))
		}
		return one, nil
	case "Slice":
		if from >= 10 {
			return one, nil
		}
		for i, a := range []string{"starts", "ends", "axes"} {
			if err := u.ints(n, a, i+1); err != nil {
				return nil, err
			}
		}
		return one, nil
	case "Squeeze", "Unsqueeze", "ReduceSum":
		if from >= 13 {
			return one, nil
		}
		return one, u.ints(n, "axes", 1)
	case "Split":
		if from >= 13 {
			return one, nil
		}
		return one, u.ints(n, "split", 1)
	case "Upsample", "Resize":
		if n.OpType == "Resize" && from >= 11 {
			return one, nil
		}
		// Upsample-7..9 and Resize-10: asymmetric coordinates, floor for
		// nearest. Resize-13 takes (X, roi, scales).
		mode, _ := n.AttrString("mode", "nearest")
		if n.OpType == "Upsample" && from < 9 {
			sc, err := n.AttrFloats("scales", nil)
			if err != nil || sc == nil {
				return nil, n.Errorf("Upsample without scales")
			}
			u.attrToInput(n, "scales", 1, tensor.FromFloat32(append([]float32(nil), sc...), len(sc)))
		}
		if len(n.Inputs) < 2 {
			return nil, n.Errorf("%s without scales", n.OpType)
		}
		n.OpType = "Resize"
		n.Inputs = []string{n.Inputs[0], "", n.Inputs[1]}
		if mode == "bilinear" {
			mode = "linear"
		}
		n.SetAttr(&graph.Attr{Name: "mode", Type: graph.AttrString, S: mode})
		n.SetAttr(&graph.Attr{Name: "coordinate_transformation_mode", Type: graph.AttrString, S: "asymmetric"})
		if mode == "nearest" {
			n.SetAttr(&graph.Attr{Name: "nearest_mode", Type: graph.AttrString, S: "floor"})
		}
		return one, nil
	case "Softmax", "LogSoftmax", "Hardmax":
		if from >= 13 {
			return one, nil
		}
		return u.softmax(n, meta)
	case "TopK", "Scan", "If", "Loop", "BatchNormalization", "Dropout":
		if n.OpType == "BatchNormalization" && from >= 9 {
			return one, nil
		}
		return nil, n.Errorf("cannot upgrade from opset %d to %d for the QDQ export", from, QDQOpset)
	}
	return one, nil
}

// softmax rewrites a pre-13 Softmax (2-D coercion at axis) for opset 13:
// unchanged with axis -1 when axis is the last one, otherwise
// Flatten(axis) -> Softmax(axis=1) -> Reshape(Shape(x)).
func (u *upgrader) softmax(n *graph.Node, meta map[string]TensorMeta) ([]*graph.Node, error) {
	axis, err := n.AttrInt("axis", 1)
	if err != nil {
		return nil, err
	}
	mt, ok := meta[n.Inputs[0]]
	if !ok || len(mt.Shape) == 0 {
		return nil, n.Errorf("input rank unknown: cannot upgrade the pre-opset-13 axis")
	}
	rank := int64(len(mt.Shape))
	if axis < 0 {
		axis += rank
	}
	if axis == rank-1 {
		n.SetAttr(&graph.Attr{Name: "axis", Type: graph.AttrInt, I: -1})
		return []*graph.Node{n}, nil
	}
	x, y := n.Inputs[0], n.Outputs[0]
	flat, sm, shp := u.name(y+"_flat"), u.name(y+"_2d"), u.name(y+"_shape")
	fl := &graph.Node{Name: u.name(n.Name + "_flatten"), OpType: "Flatten", Inputs: []string{x}, Outputs: []string{flat}}
	fl.SetAttr(&graph.Attr{Name: "axis", Type: graph.AttrInt, I: axis})
	n.Inputs, n.Outputs = []string{flat}, []string{sm}
	n.SetAttr(&graph.Attr{Name: "axis", Type: graph.AttrInt, I: 1})
	sh := &graph.Node{Name: u.name(n.Name + "_shape"), OpType: "Shape", Inputs: []string{x}, Outputs: []string{shp}}
	rs := &graph.Node{Name: u.name(n.Name + "_reshape"), OpType: "Reshape", Inputs: []string{sm, shp}, Outputs: []string{y}}
	return []*graph.Node{fl, n, sh, rs}, nil
}
