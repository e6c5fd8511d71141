package ops

import (
	"fmt"
	"sort"
	"strings"

	"fixq/core/graph"
)

// Lookup returns the kernel for an ai.onnx op_type. The registry is the
// union of the per-family maps below, each kept next to its kernels'
// family (nn, math, shape); an op_type appears in exactly one.
func Lookup(domain, opType string) (Kernel, bool) {
	if domain != "" && domain != "ai.onnx" {
		return nil, false
	}
	for _, m := range families {
		if k, ok := m[opType]; ok {
			return k, true
		}
	}
	return nil, false
}

var families = []map[string]Kernel{nnKernels, mathKernels, shapeKernels, quantKernels}

// SupportedOps lists every supported op_type, sorted.
func SupportedOps() []string {
	var out []string
	for _, m := range families {
		for k := range m {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// UnsupportedError lists every node of a model whose op fixq cannot run.
type UnsupportedError struct {
	// Nodes maps "domain:op_type" (just op_type for ai.onnx) to node names.
	Ops map[string][]string
}

func (e *UnsupportedError) Error() string {
	keys := make([]string, 0, len(e.Ops))
	for k := range e.Ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "unsupported ops: ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		names := e.Ops[k]
		shown := names
		if len(shown) > 5 {
			shown = shown[:5]
		}
		fmt.Fprintf(&b, "%s (%d node", k, len(names))
		if len(names) != 1 {
			b.WriteString("s")
		}
		fmt.Fprintf(&b, ": %s", strings.Join(shown, ", "))
		if len(names) > len(shown) {
			fmt.Fprintf(&b, ", ...")
		}
		b.WriteString(")")
	}
	return b.String()
}

// CheckSupported returns an *UnsupportedError naming every unsupported
// node at once, or nil.
func CheckSupported(g *graph.Graph) error {
	var e UnsupportedError
	for _, n := range g.Nodes {
		if _, ok := Lookup(n.Domain, n.OpType); ok {
			continue
		}
		key := n.OpType
		if n.Domain != "" && n.Domain != "ai.onnx" {
			key = n.Domain + ":" + n.OpType
		}
		if e.Ops == nil {
			e.Ops = map[string][]string{}
		}
		e.Ops[key] = append(e.Ops[key], n.Name)
	}
	if e.Ops != nil {
		return &e
	}
	return nil
}
