package ui

// The JSON documents the core returns, mirrored by the fields the page
// shows. The UI does not import core/ or dpu/ (it would carry the whole
// quantizer into the UI wasm); results_test.go decodes real core output
// into these types and checks them against the core's own structs.

// InspectResult mirrors core/job.InspectResult.
type InspectResult struct {
	Inspector InspectorReport `json:"inspector"`
	Latency   *LatencyReport  `json:"latency"`
}

// InspectorReport mirrors dpu.Report.
type InspectorReport struct {
	Target    string           `json:"target"`
	Graph     string           `json:"graph"`
	Nodes     []InspectorNode  `json:"nodes"`
	Subgraphs []InspectorGroup `json:"subgraphs"`
	Summary   InspectorSummary `json:"summary"`
}

// InspectorNode mirrors dpu.NodeReport.
type InspectorNode struct {
	Name       string `json:"name"`
	OpType     string `json:"op_type"`
	Device     string `json:"device"`
	Engine     string `json:"engine"`
	FusedInto  string `json:"fused_into"`
	Constraint string `json:"constraint"`
	Note       string `json:"note"`
	Subgraph   int    `json:"subgraph"`
}

// Reason is why the node runs where it does: the constraint that sent it
// to the CPU, the fusion, or the Inspector's note.
func (n InspectorNode) Reason() string {
	switch {
	case n.Constraint != "":
		return n.Constraint
	case n.FusedInto != "":
		if n.Note != "" {
			return "fused into " + n.FusedInto + "; " + n.Note
		}
		return "fused into " + n.FusedInto
	}
	return n.Note
}

// InspectorGroup mirrors dpu.Subgraph.
type InspectorGroup struct {
	ID     int      `json:"id"`
	Device string   `json:"device"`
	Nodes  []string `json:"nodes"`
}

// InspectorSummary mirrors dpu.Summary.
type InspectorSummary struct {
	DPUNodes     int `json:"dpu_nodes"`
	CPUNodes     int `json:"cpu_nodes"`
	UserNodes    int `json:"user_nodes"`
	ConstNodes   int `json:"const_nodes"`
	DPUSubgraphs int `json:"dpu_subgraphs"`
	CPUSubgraphs int `json:"cpu_subgraphs"`
}

// LatencyReport mirrors dpu.LatencyReport.
type LatencyReport struct {
	Target      string         `json:"target"`
	ClockMHz    float64        `json:"clock_mhz"`
	Layers      []LayerLatency `json:"layers"`
	TotalMACs   int64          `json:"total_macs"`
	TotalCycles int64          `json:"total_cycles"`
	LatencyMs   float64        `json:"latency_ms"`
	FPS         float64        `json:"fps"`
	PeakGOPS    float64        `json:"peak_gops"`
	Utilization float64        `json:"utilization"`
	CPUNodes    []string       `json:"cpu_nodes"`
}

// LayerLatency mirrors dpu.LayerLatency.
type LayerLatency struct {
	Node        string  `json:"node"`
	OpType      string  `json:"op_type"`
	Cycles      int64   `json:"cycles"`
	Us          float64 `json:"us"`
	MemoryBound bool    `json:"memory_bound"`
}

// QuantReport mirrors core/quant.Report.
type QuantReport struct {
	Format       string       `json:"format"`
	CalibSamples int          `json:"calib_samples"`
	Layers       []QuantLayer `json:"layers"`
	Warnings     []string     `json:"warnings"`
}

// QuantLayer mirrors core/quant.LayerReport. Histogram is absent from
// reports of older cores.
type QuantLayer struct {
	Node        string     `json:"node"`
	OpType      string     `json:"op_type"`
	Tensor      string     `json:"tensor"`
	Kind        string     `json:"kind"`
	FixPos      int        `json:"fix_pos"`
	SQNRdB      *float64   `json:"sqnr_db"`
	WeightRange []float32  `json:"weight_range"`
	Histogram   *Histogram `json:"histogram,omitempty"`
}

// Histogram mirrors core/quant.Histogram: a float activation histogram
// over [Min, Max) in equal bins.
type Histogram struct {
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Counts []int64 `json:"counts"`
}

// QuantInfo mirrors the parts of core/quant.QuantInfo the page shows.
type QuantInfo struct {
	Format  string       `json:"format"`
	Tensors []TensorInfo `json:"tensors"`
	Nodes   []NodeInfo   `json:"nodes"`
}

// NodeInfo mirrors core/quant.NodeInfo (the fields the page uses).
type NodeInfo struct {
	Name      string `json:"name"`
	OpType    string `json:"op_type"`
	Device    string `json:"device"`
	FusedFrom string `json:"fused_from"`
}

// TensorInfo mirrors core/quant.TensorInfo.
type TensorInfo struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Node   string `json:"node"`
	FixPos int    `json:"fix_pos"`
}

// EvalResult is what the glue reports from the module's evaluate: top-1
// of the float and the quantized model on the evaluation images.
type EvalResult struct {
	Images    int     `json:"images"`
	FloatTop1 float64 `json:"float_top1"`
	QuantTop1 float64 `json:"quant_top1"`
	FloatMs   float64 `json:"float_ms,omitempty"`
	QuantMs   float64 `json:"quant_ms,omitempty"`
	Classes   int     `json:"classes,omitempty"`
}
