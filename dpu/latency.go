package dpu

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// DefaultDDRGBps is the effective DDR bandwidth of one DPUCZDX8G core in
// GB/s (1e9 bytes/s) when the target does not set ddr_gbps: half of the
// two 128-bit data ports (PG338 v4.1 "Port Descriptions": DPUx_M_AXI_DATA0
// and DATA1 are 128-bit) at a 300 MHz m_axi_dpu_aclk, 2·16 B·300 MHz =
// 9.6 GB/s. The factor 1/2 is our assumption for AXI/DDR efficiency and for
// sharing the PS DDR with other cores and the CPU; it was chosen before
// comparing with any published figure.
const DefaultDDRGBps = 4.8

// LayerLatency is the estimate for one DPU layer.
type LayerLatency struct {
	Node   string    `json:"node"`
	OpType string    `json:"op_type"`
	Kind   LayerKind `json:"kind"`
	Engine Engine    `json:"engine"`
	MACs   int64     `json:"macs"`
	// Ops is 2·MACs.
	Ops    int64 `json:"ops"`
	Cycles int64 `json:"cycles"`
	// Bytes is the DDR traffic: int8 weights and bias, int8 input and
	// output activations.
	Bytes     int64   `json:"bytes"`
	ComputeUs float64 `json:"compute_us"`
	MemoryUs  float64 `json:"memory_us"`
	// Us is max(ComputeUs, MemoryUs).
	Us          float64 `json:"us"`
	MemoryBound bool    `json:"memory_bound"`
}

// LatencyReport is the per-layer and total estimate for one DPU core.
type LatencyReport struct {
	Target   string         `json:"target"`
	ClockMHz float64        `json:"clock_mhz"`
	DDRGBps  float64        `json:"ddr_gbps"`
	Layers   []LayerLatency `json:"layers"`

	TotalMACs   int64 `json:"total_macs"`
	TotalOps    int64 `json:"total_ops"`
	TotalCycles int64 `json:"total_cycles"`
	TotalBytes  int64 `json:"total_bytes"`
	// ComputeMs and MemoryMs sum the per-layer compute and memory times;
	// LatencyMs sums the per-layer maxima.
	ComputeMs float64 `json:"compute_ms"`
	MemoryMs  float64 `json:"memory_ms"`
	LatencyMs float64 `json:"latency_ms"`
	// FPS is batch·1000/LatencyMs for one core.
	FPS float64 `json:"fps"`
	// PeakGOPS is PeakOpsPerCycle·clock; Utilization is TotalOps over
	// PeakGOPS·LatencyMs.
	PeakGOPS          float64 `json:"peak_gops"`
	Utilization       float64 `json:"utilization"`
	MemoryBoundLayers int     `json:"memory_bound_layers"`
	// CPUNodes are not estimated (their time depends on the host CPU).
	CPUNodes []string `json:"cpu_nodes,omitempty"`
}

// EstimateLatency estimates the DPU time of the DPU nodes of rep on one
// core of t at clockMHz (<= 0: t.DefaultClockMHz), batch as in the shapes.
// The model is in the package documentation; shapes gives activation sizes
// (as for Inspect). No efficiency factor is applied.
func EstimateLatency(rep *Report, shapes map[string][]int, t *Target, clockMHz float64) *LatencyReport {
	if clockMHz <= 0 {
		clockMHz = t.DefaultClockMHz
	}
	bw := t.DDRGBps
	if bw <= 0 {
		bw = DefaultDDRGBps
	}
	lr := &LatencyReport{Target: t.Name, ClockMHz: clockMHz, DDRGBps: bw,
		PeakGOPS: float64(t.PeakOpsPerCycle()) * clockMHz / 1e3}
	// activation values: outputs of graph inputs and non-CONST nodes
	// (weights are initializers, counted in Layer.Weights).
	activation := map[string]bool{}
	for _, n := range rep.Nodes {
		if n.Device != DeviceConst {
			for _, o := range n.Outputs {
				activation[o] = true
			}
		}
	}
	batch := 1
	for _, n := range rep.Nodes {
		switch {
		case n.Device == DeviceCPU:
			lr.CPUNodes = append(lr.CPUNodes, n.Name)
			continue
		case n.Device != DeviceDPU || n.Layer == nil:
			continue
		}
		l := n.Layer
		batch = max(batch, l.Batch)
		ll := LayerLatency{Node: n.Name, OpType: n.OpType, Kind: l.Kind, Engine: n.Engine, MACs: l.MACs()}
		ll.Ops = 2 * ll.MACs
		ll.Cycles = layerCycles(l, t)
		ll.Bytes = l.Weights
		for _, v := range n.Inputs {
			if activation[v] {
				ll.Bytes += numel(shapes[v])
			}
		}
		for _, v := range n.Outputs {
			ll.Bytes += numel(shapes[v])
		}
		ll.ComputeUs = float64(ll.Cycles) / clockMHz
		ll.MemoryUs = float64(ll.Bytes) / (bw * 1e3)
		ll.Us = math.Max(ll.ComputeUs, ll.MemoryUs)
		ll.MemoryBound = ll.MemoryUs > ll.ComputeUs
		if ll.MemoryBound {
			lr.MemoryBoundLayers++
		}
		lr.Layers = append(lr.Layers, ll)
		lr.TotalMACs += ll.MACs
		lr.TotalOps += ll.Ops
		lr.TotalCycles += ll.Cycles
		lr.TotalBytes += ll.Bytes
		lr.ComputeMs += ll.ComputeUs / 1e3
		lr.MemoryMs += ll.MemoryUs / 1e3
		lr.LatencyMs += ll.Us / 1e3
	}
	if lr.LatencyMs > 0 {
		lr.FPS = float64(batch) * 1e3 / lr.LatencyMs
		lr.Utilization = float64(lr.TotalOps) / (lr.PeakGOPS * 1e6 * lr.LatencyMs)
	}
	return lr
}

func numel(s []int) int64 {
	if s == nil {
		return 0
	}
	n := int64(1)
	for _, d := range s {
		n *= int64(d)
	}
	return n
}

func ceil64(a, b int) int64 { return int64(ceilDiv(max(a, 0), max(b, 1))) }

// layerCycles is the compute-cycle model of the package documentation.
func layerCycles(l *Layer, t *Target) int64 {
	n := int64(max(l.Batch, 1))
	c, a, e := t.Conv, t.ALU, t.Eltwise
	switch l.Kind {
	case KindConv:
		icTerm := int64(l.KernelH*l.KernelW) * ceil64(l.InC/max(l.Group, 1), c.InputChannelParallel)
		// Channel augmentation: a thin input packs the kernel-width taps
		// into the input-channel lanes (our reading of channel_num).
		if c.ChannelAugmentation > 0 && l.InC < c.InputChannelParallel && l.InC*l.KernelW <= c.ChannelAugmentation {
			icTerm = min(icTerm, int64(l.KernelH)*ceil64(l.InC*l.KernelW, c.InputChannelParallel))
		}
		return n * ceil64(l.OutH*l.OutW, c.PixelParallel) * icTerm * ceil64(l.OutC, c.OutputChannelParallel)
	case KindTransposedConv:
		return n * ceil64(l.OutH*l.OutW, c.PixelParallel) * ceil64(l.InC, c.InputChannelParallel) *
			ceil64(l.OutC, c.OutputChannelParallel) * ceil64(l.KernelH, l.StrideH) * ceil64(l.KernelW, l.StrideW)
	case KindDepthwiseConv, KindMaxPool, KindAvgPool:
		return n * ceil64(l.OutH*l.OutW, a.PixelParallel) * ceil64(l.OutC, a.ChannelParallel) * int64(l.KernelH*l.KernelW)
	case KindDepthwiseTransposedConv:
		return n * ceil64(l.OutH*l.OutW, a.PixelParallel) * ceil64(l.OutC, a.ChannelParallel) *
			ceil64(l.KernelH, l.StrideH) * ceil64(l.KernelW, l.StrideW)
	case KindALUPointwise:
		return n * ceil64(l.OutH*l.OutW, a.PixelParallel) * ceil64(l.OutC, a.ChannelParallel)
	case KindEltwise:
		return n * ceil64(l.OutH*l.OutW, e.PixelParallel) * ceil64(l.OutC, e.ChannelParallel) * int64(max(l.EltwiseInputs, 1))
	}
	return 0
}

// WriteText writes the per-layer table and the totals for people.
func (lr *LatencyReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "latency estimate: %s at %g MHz, DDR %g GB/s, one core, no efficiency factor\n", lr.Target, lr.ClockMHz, lr.DDRGBps)
	fmt.Fprintf(&b, "%-32s %-18s %-26s %12s %10s %10s %10s %10s %s\n", "node", "op type", "kind", "MACs", "cycles", "bytes", "compute_us", "memory_us", "bound")
	for _, l := range lr.Layers {
		bound := "compute"
		if l.MemoryBound {
			bound = "memory"
		}
		fmt.Fprintf(&b, "%-32s %-18s %-26s %12d %10d %10d %10.2f %10.2f %s\n", l.Node, l.OpType, l.Kind, l.MACs, l.Cycles, l.Bytes, l.ComputeUs, l.MemoryUs, bound)
	}
	fmt.Fprintf(&b, "total: %.3f G ops, compute %.3f ms, memory %.3f ms, latency %.3f ms, %.1f fps (%d of %d layers memory-bound, %.0f%% of %.1f GOPS peak)\n",
		float64(lr.TotalOps)/1e9, lr.ComputeMs, lr.MemoryMs, lr.LatencyMs, lr.FPS, lr.MemoryBoundLayers, len(lr.Layers), 100*lr.Utilization, lr.PeakGOPS)
	if len(lr.CPUNodes) > 0 {
		fmt.Fprintf(&b, "not estimated (CPU): %s\n", strings.Join(lr.CPUNodes, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
