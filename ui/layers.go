package ui

import (
	"math"
	"sort"
	"strconv"
)

// LayerRow is one row of the per-layer table: a quantized activation from
// the report joined with its layer's weight fix_pos (quant info) and the
// latency model's cycles.
type LayerRow struct {
	QuantLayer
	FusedOp      string // op type of the layer the row's node is fused into it from (Conv in Conv+Relu)
	WeightFixPos *int   // for conv-like layers
	Cycles       int64  // estimated DPU cycles; -1 when the row has none
}

// JoinLayers builds the table rows in report (graph) order. The report
// names the node that ends a fused group (the Relu after a Conv); the
// weights, and the cycles in the latency report, belong to the group's
// head, which the quant info names in fused_from. The model input's row
// gets neither (the report lists its first consumer's weights on it).
func JoinLayers(rep *QuantReport, info *QuantInfo, lat *LatencyReport) []LayerRow {
	if rep == nil {
		return nil
	}
	cycles := map[string]int64{}
	if lat != nil {
		for _, l := range lat.Layers {
			cycles[l.Node] += l.Cycles
		}
	}
	wfp := map[string]int{}
	head := map[string]string{}
	opOf := map[string]string{}
	if info != nil {
		for _, t := range info.Tensors {
			if t.Kind == "weight" {
				wfp[t.Node] = t.FixPos
			}
		}
		for _, n := range info.Nodes {
			opOf[n.Name] = n.OpType
			if n.FusedFrom != "" {
				head[n.Name] = n.FusedFrom
			}
		}
	}
	rows := make([]LayerRow, 0, len(rep.Layers))
	for _, l := range rep.Layers {
		r := LayerRow{QuantLayer: l, Cycles: -1}
		if l.Kind == "input" {
			r.WeightRange = nil
			rows = append(rows, r)
			continue
		}
		h := l.Node
		if f, ok := head[l.Node]; ok {
			h, r.FusedOp = f, opOf[f]
		}
		if c, ok := cycles[h]; ok {
			r.Cycles = c
		}
		if fp, ok := wfp[h]; ok {
			r.WeightFixPos = &fp
		}
		rows = append(rows, r)
	}
	return rows
}

// OpText is the row's op, with the op fused into it ("Conv+Relu").
func (r LayerRow) OpText() string {
	if r.FusedOp != "" {
		return r.FusedOp + "+" + r.OpType
	}
	return r.OpType
}

// Sort columns of the per-layer table.
const (
	ColOrder  = "order"
	ColNode   = "node"
	ColOp     = "op"
	ColFixPos = "fix_pos"
	ColWeight = "weight_fix_pos"
	ColSQNR   = "sqnr"
	ColCycles = "cycles"
)

// SortLayers orders rows by a column (stable; ties keep graph order).
// Missing values (no SQNR, no cycles) sort last in either direction.
func SortLayers(rows []LayerRow, col string, desc bool) []LayerRow {
	out := make([]LayerRow, len(rows))
	idx := make([]int, len(rows))
	for i := range rows {
		idx[i] = i
	}
	key := func(i int) (float64, string, bool) {
		r := rows[i]
		switch col {
		case ColNode:
			return 0, r.Node, true
		case ColOp:
			return 0, r.OpText(), true
		case ColFixPos:
			return float64(r.FixPos), "", true
		case ColWeight:
			if r.WeightFixPos == nil {
				return 0, "", false
			}
			return float64(*r.WeightFixPos), "", true
		case ColSQNR:
			if r.SQNRdB == nil {
				return 0, "", false
			}
			return *r.SQNRdB, "", true
		case ColCycles:
			if r.Cycles < 0 {
				return 0, "", false
			}
			return float64(r.Cycles), "", true
		}
		return float64(i), "", true
	}
	sort.SliceStable(idx, func(a, b int) bool {
		fa, sa, oka := key(idx[a])
		fb, sb, okb := key(idx[b])
		if oka != okb {
			return oka
		}
		if !oka {
			return false
		}
		if sa != sb {
			if desc {
				return sa > sb
			}
			return sa < sb
		}
		if desc {
			return fa > fb
		}
		return fa < fb
	})
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

// SQNRText formats an SQNR for the table ("exact" when there is no noise).
func (r LayerRow) SQNRText() string {
	if r.SQNRdB == nil {
		return "exact"
	}
	return strconv.FormatFloat(*r.SQNRdB, 'f', 1, 64)
}

// CyclesText formats the cycles ("fused" or "-" when none).
func (r LayerRow) CyclesText() string {
	if r.Cycles < 0 {
		return "–"
	}
	return groupDigits(r.Cycles)
}

// WeightFixPosText formats the weight fix_pos ("" for layers without).
func (r LayerRow) WeightFixPosText() string {
	if r.WeightFixPos == nil {
		return ""
	}
	return strconv.Itoa(*r.WeightFixPos)
}

// WeightRangeText formats the float weight range.
func (r LayerRow) WeightRangeText() string {
	if len(r.WeightRange) != 2 {
		return ""
	}
	return "[" + fmtNum(float64(r.WeightRange[0])) + ", " + fmtNum(float64(r.WeightRange[1])) + "]"
}

// groupDigits writes 1234567 as "1 234 567".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// fmtNum formats a float with 3-4 significant digits.
func fmtNum(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Label names the row in the layer choice: the node and op, or for the
// model's input the tensor.
func (r LayerRow) Label() string {
	if r.Kind == "input" {
		return "input " + r.Tensor
	}
	return r.Node + " (" + r.OpText() + ")"
}

// NodeText is the row's node, or "model input" for the input's row (the
// report files it under its first consumer).
func (r LayerRow) NodeText() string {
	if r.Kind == "input" {
		return "(model input)"
	}
	return r.Node
}
