package dpu

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// The people-facing report follows the layout of vai_q_pytorch's
// inspect_{target}.txt (DPU-ARITHMETIC.md §5.4): a header explaining the
// fields, blocks separated by 160 '=', the target, an inspection summary
// with a table of CPU nodes (node name | op type | hardware constraints),
// the subgraph count and, when verbose, one block per node.

var separator = strings.Repeat("=", 160)

const textHeader = `# fixq DPU inspection report
# target info: the DPU target the model was checked against.
# inspection summary: the nodes assigned to the CPU with the hardware constraint each one broke,
#   then how the model splits into DPU and CPU subgraphs (maximal connected runs of nodes on one device).
# devices: DPU, CPU, USER (graph inputs), CONST (computed from constants and static shapes; fold them).
# engines: conv, alu (depthwise conv, pooling, hard-sigmoid), eltwise, save (argmax),
#   fused (folded into the named producer), layout (reshape/concat/zero pad/nearest resize: data movement).
# shapes are ONNX NCHW (the DPU itself works in NHWC).
`

// WriteText writes the report for people. verbose adds one block per node.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	var b strings.Builder
	b.WriteString(textHeader)
	fmt.Fprintf(&b, "%s\ntarget info:\n%s\n", separator, r.Target)
	fmt.Fprintf(&b, "%s\ninspection summary:\n", separator)
	var rows [][3]string
	for _, n := range r.Nodes {
		if n.Device == DeviceCPU {
			rows = append(rows, [3]string{n.Name, n.OpType, n.Constraint})
		}
	}
	if len(rows) == 0 {
		b.WriteString("All the operators are assigned to the DPU.\n")
	} else {
		b.WriteString("The operators assigned to the CPU are as follows:\n")
		writeTable(&b, [3]string{"node name", "op type", "hardware constraints"}, rows)
	}
	s := r.Summary
	fmt.Fprintf(&b, "The model splits into %d DPU and %d CPU subgraphs (%d DPU, %d CPU, %d USER and %d CONST nodes).\n",
		s.DPUSubgraphs, s.CPUSubgraphs, s.DPUNodes, s.CPUNodes, s.UserNodes, s.ConstNodes)
	fmt.Fprintf(&b, "%s\ngraph name:\n%s\n", separator, r.Graph)
	if verbose {
		for _, n := range r.Nodes {
			fmt.Fprintf(&b, "%s\nnode name: %s\n", separator, n.Name)
			fmt.Fprintf(&b, "input nodes: %s\n", strings.Join(n.Inputs, ", "))
			fmt.Fprintf(&b, "output nodes: %s\n", strings.Join(n.Outputs, ", "))
			fmt.Fprintf(&b, "op type: %s\n", n.OpType)
			fmt.Fprintf(&b, "outputs shape: %v\n", n.OutputShape)
			fmt.Fprintf(&b, "assigned device: %s\n", n.Device)
			if n.Engine != "" {
				fmt.Fprintf(&b, "engine: %s\n", n.Engine)
			}
			if n.FusedInto != "" {
				fmt.Fprintf(&b, "fused into: %s\n", n.FusedInto)
			}
			if n.Constraint != "" {
				fmt.Fprintf(&b, "hardware constraints: %s\n", n.Constraint)
			}
			if n.Note != "" {
				fmt.Fprintf(&b, "node messages: %s\n", n.Note)
			}
		}
		b.WriteString(separator + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTable writes a plain aligned table (tabulate's "simple" style).
func writeTable(b *strings.Builder, head [3]string, rows [][3]string) {
	var wd [3]int
	for _, r := range append([][3]string{head}, rows...) {
		for i, c := range r {
			wd[i] = max(wd[i], len(c))
		}
	}
	line := func(r [3]string) {
		fmt.Fprintf(b, "%-*s  %-*s  %s\n", wd[0], r[0], wd[1], r[1], r[2])
	}
	line(head)
	line([3]string{strings.Repeat("-", wd[0]), strings.Repeat("-", wd[1]), strings.Repeat("-", wd[2])})
	for _, r := range rows {
		line(r)
	}
}

// WriteJSON writes the report as indented JSON (the struct's json tags).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
