package graph

import "fmt"

// The attribute getters return the default when the attribute is absent and
// an error naming the node when it is present with the wrong type.

func (n *Node) attr(name string, want AttrType) (*Attr, error) {
	a, ok := n.Attrs[name]
	if !ok {
		return nil, nil
	}
	if a.Type != want {
		return nil, fmt.Errorf("node %q (%s): attribute %s is %v, want %v", n.Name, n.OpType, name, a.Type, want)
	}
	return a, nil
}

// Has reports whether the attribute is set.
func (n *Node) Has(name string) bool { _, ok := n.Attrs[name]; return ok }

// AttrInt returns an int attribute or def.
func (n *Node) AttrInt(name string, def int64) (int64, error) {
	a, err := n.attr(name, AttrInt)
	if a == nil || err != nil {
		return def, err
	}
	return a.I, nil
}

// AttrFloat returns a float attribute or def.
func (n *Node) AttrFloat(name string, def float32) (float32, error) {
	a, err := n.attr(name, AttrFloat)
	if a == nil || err != nil {
		return def, err
	}
	return a.F, nil
}

// AttrString returns a string attribute or def.
func (n *Node) AttrString(name string, def string) (string, error) {
	a, err := n.attr(name, AttrString)
	if a == nil || err != nil {
		return def, err
	}
	return a.S, nil
}

// AttrInts returns an ints attribute or def (which is not copied).
func (n *Node) AttrInts(name string, def []int64) ([]int64, error) {
	a, err := n.attr(name, AttrInts)
	if a == nil || err != nil {
		return def, err
	}
	return a.Ints, nil
}

// AttrFloats returns a floats attribute or def.
func (n *Node) AttrFloats(name string, def []float32) ([]float32, error) {
	a, err := n.attr(name, AttrFloats)
	if a == nil || err != nil {
		return def, err
	}
	return a.Floats, nil
}

// AttrStrings returns a strings attribute or def.
func (n *Node) AttrStrings(name string, def []string) ([]string, error) {
	a, err := n.attr(name, AttrStrings)
	if a == nil || err != nil {
		return def, err
	}
	return a.Strings, nil
}

// SetAttr sets (or replaces) an attribute, keeping order stable.
func (n *Node) SetAttr(a *Attr) {
	if n.Attrs == nil {
		n.Attrs = map[string]*Attr{}
	}
	if _, ok := n.Attrs[a.Name]; !ok {
		n.AttrOrder = append(n.AttrOrder, a.Name)
	}
	n.Attrs[a.Name] = a
}

// Errorf builds an error that names the node, for kernels and passes.
func (n *Node) Errorf(format string, args ...any) error {
	return fmt.Errorf("node %q (%s): %w", n.Name, n.OpType, fmt.Errorf(format, args...))
}
