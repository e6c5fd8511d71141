package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/ops"
)

// Info is what `fixq info` reports (its --json form).
type Info struct {
	File       string           `json:"file"`
	FileBytes  int64            `json:"file_bytes"`
	IRVersion  int64            `json:"ir_version"`
	Producer   string           `json:"producer"`
	Opsets     map[string]int64 `json:"opsets"`
	OpsetError string           `json:"opset_error,omitempty"`
	Inputs     []ValueInfo      `json:"inputs"`
	Outputs    []ValueInfo      `json:"outputs"`
	Nodes      int              `json:"nodes"`
	OpCounts   map[string]int   `json:"op_counts"`
	// Parameters counts the elements of every initializer and of every
	// Constant node's value.
	Parameters int64 `json:"parameters"`
	Supported  bool  `json:"supported"`
	// Unsupported maps each op fixq cannot run to its node names.
	Unsupported map[string][]string `json:"unsupported,omitempty"`
}

// ValueInfo is a graph input or output. Shape holds ints for fixed dims
// and strings for symbolic ones ("?" if unnamed); null for unknown rank.
type ValueInfo struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []any  `json:"shape"`
}

func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("info", "MODEL.onnx [--json]\n\nDescribe a model: inputs and outputs, opsets, producer, op counts,\nparameter count, file size, and which ops fixq cannot run.", stdout)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("info: want one MODEL.onnx, got %d arguments (run fixq info --help)", len(pos))
	}
	m, size, err := loadModel(pos[0])
	if err != nil {
		return err
	}
	info, err := describe(pos[0], size, m)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	printInfo(stdout, info)
	return nil
}

func describe(path string, size int64, m *graph.Model) (*Info, error) {
	g := m.Graph
	info := &Info{
		File:      path,
		FileBytes: size,
		IRVersion: m.IRVersion,
		Producer:  strings.TrimSpace(m.ProducerName + " " + m.ProducerVersion),
		Opsets:    map[string]int64{},
		Nodes:     len(g.Nodes),
		OpCounts:  map[string]int{},
		Supported: true,
	}
	for d, v := range m.Opsets {
		if d == "" {
			d = "ai.onnx"
		}
		info.Opsets[d] = v
	}
	if err := onnx.CheckOpset(m); err != nil {
		info.OpsetError = err.Error()
		info.Supported = false
	}
	for _, vi := range g.Inputs {
		info.Inputs = append(info.Inputs, valueInfo(vi))
	}
	for _, vi := range g.Outputs {
		info.Outputs = append(info.Outputs, valueInfo(vi))
	}
	for _, n := range g.Nodes {
		key := n.OpType
		if n.Domain != "" {
			key = n.Domain + ":" + n.OpType
		}
		info.OpCounts[key]++
	}
	for _, t := range g.Initializers {
		info.Parameters += int64(t.Len())
	}
	for _, n := range g.Nodes {
		if n.OpType == "Constant" && n.Domain == "" {
			info.Parameters += constantElements(n)
		}
	}
	if err := ops.CheckSupported(g); err != nil {
		var ue *ops.UnsupportedError
		if !errors.As(err, &ue) {
			return nil, err
		}
		info.Supported = false
		info.Unsupported = ue.Ops
	}
	return info, nil
}

// constantElements counts the elements a Constant node holds.
func constantElements(n *graph.Node) int64 {
	var c int64
	for _, a := range n.Attrs {
		switch {
		case a.T != nil:
			c += int64(a.T.Len())
		case a.Type == graph.AttrFloat || a.Type == graph.AttrInt || a.Type == graph.AttrString:
			c++
		default:
			c += int64(len(a.Floats) + len(a.Ints) + len(a.Strings))
		}
	}
	return c
}

func valueInfo(vi graph.ValueInfo) ValueInfo {
	v := ValueInfo{Name: vi.Name, DType: dtypeName(vi.DType)}
	if vi.Shape != nil {
		v.Shape = make([]any, len(vi.Shape))
		for i, d := range vi.Shape {
			switch {
			case d.Value >= 0:
				v.Shape[i] = d.Value
			case d.Param != "":
				v.Shape[i] = d.Param
			default:
				v.Shape[i] = "?"
			}
		}
	}
	return v
}

func printInfo(w io.Writer, info *Info) {
	fmt.Fprintf(w, "model       %s (%s)\n", info.File, humanBytes(info.FileBytes))
	if info.Producer != "" {
		fmt.Fprintf(w, "producer    %s\n", info.Producer)
	}
	domains := make([]string, 0, len(info.Opsets))
	for d := range info.Opsets {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	var os []string
	for _, d := range domains {
		os = append(os, fmt.Sprintf("%s %d", d, info.Opsets[d]))
	}
	fmt.Fprintf(w, "ir_version  %d; opsets: %s\n", info.IRVersion, strings.Join(os, ", "))
	for _, l := range []struct {
		what string
		vis  []ValueInfo
	}{{"input", info.Inputs}, {"output", info.Outputs}} {
		for _, vi := range l.vis {
			fmt.Fprintf(w, "%-11s %s %s %s\n", l.what, vi.Name, vi.DType, shapeString(vi.Shape))
		}
	}
	fmt.Fprintf(w, "nodes       %d\n", info.Nodes)
	fmt.Fprintf(w, "parameters  %d\n", info.Parameters)
	type kv struct {
		op string
		n  int
	}
	var counts []kv
	for op, n := range info.OpCounts {
		counts = append(counts, kv{op, n})
	}
	sort.Slice(counts, func(i, j int) bool {
		if counts[i].n != counts[j].n {
			return counts[i].n > counts[j].n
		}
		return counts[i].op < counts[j].op
	})
	var parts []string
	for _, c := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", c.op, c.n))
	}
	fmt.Fprintf(w, "ops         %s\n", strings.Join(parts, ", "))
	switch {
	case info.Supported:
		fmt.Fprintf(w, "supported   yes: fixq runs every op\n")
	default:
		fmt.Fprintf(w, "supported   no\n")
		if info.OpsetError != "" {
			fmt.Fprintf(w, "  %s\n", info.OpsetError)
		}
		ops := make([]string, 0, len(info.Unsupported))
		for op := range info.Unsupported {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			names := info.Unsupported[op]
			fmt.Fprintf(w, "  unsupported op %s (%d node%s): %s\n", op, len(names), plural(len(names)), strings.Join(names, ", "))
		}
	}
}

func shapeString(s []any) string {
	if s == nil {
		return "[unknown rank]"
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB, %d bytes", float64(n)/(1<<20), n)
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB, %d bytes", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
