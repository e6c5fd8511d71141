package quant

import (
	"encoding/json"
)

// QuantInfo is the quant-info JSON: every quantized tensor's fix_pos and
// every node's device, fusion, shifts and approximation. Lists are in
// graph order, so the same model and data give the same bytes.
type QuantInfo struct {
	Format   string       `json:"format"` // "fixq-quant-info/1"
	BitWidth int          `json:"bit_width"`
	Tensors  []TensorInfo `json:"tensors"`
	Nodes    []NodeInfo   `json:"nodes"`
}

// TensorInfo describes one quantization point.
type TensorInfo struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"` // input, activation, weight, bias, const
	Node     string `json:"node"`
	FixPos   int    `json:"fix_pos"`
	BitWidth int    `json:"bit_width"`
	Round    string `json:"round"` // DPU_ROUND or STD_ROUND
	// Inherits names the tensor whose fix_pos this one copies.
	Inherits string `json:"inherits,omitempty"`
}

// NodeInfo describes one node.
type NodeInfo struct {
	Name      string `json:"name"`
	OpType    string `json:"op_type"`
	Device    string `json:"device"` // DPU or CPU
	Reason    string `json:"reason,omitempty"`
	FusedInto string `json:"fused_into,omitempty"`
	FusedFrom string `json:"fused_from,omitempty"`
	// Output is the quantized tensor ending the node's fused group.
	Output    string      `json:"output,omitempty"`
	ShiftCut  *int        `json:"shift_cut,omitempty"`
	ShiftBias *int        `json:"shift_bias,omitempty"`
	Approx    *ApproxInfo `json:"approximation,omitempty"`
}

// ApproxInfo gives the constants of a DPU approximation (§3).
type ApproxInfo struct {
	Kind Approx `json:"kind"`
	// LeakyRelu: the slope 26/256.
	Slope float64 `json:"slope,omitempty"`
	// HardSigmoid / HardSwish: relu6(x+3)·Mul/2^Shift; HardSwish's
	// sigmoid is quantized at SigmoidFixPos.
	Mul           int  `json:"mul,omitempty"`
	Shift         int  `json:"shift,omitempty"`
	SigmoidFixPos *int `json:"sigmoid_fix_pos,omitempty"`
	// Average pools: sum·N/2^M over Window elements; Gain = N·Window/2^M.
	N      int     `json:"n,omitempty"`
	M      int     `json:"m,omitempty"`
	Window int     `json:"window,omitempty"`
	Gain   float64 `json:"gain,omitempty"`
}

// info builds the QuantInfo of a finished plan.
func (p *Plan) info() *QuantInfo {
	qi := &QuantInfo{Format: "fixq-quant-info/1", BitWidth: 8, Tensors: []TensorInfo{}, Nodes: []NodeInfo{}}
	for _, pt := range p.Points {
		qi.Tensors = append(qi.Tensors, TensorInfo{Name: pt.Tensor, Kind: pt.Kind.String(), Node: pt.Node,
			FixPos: pt.FixPos, BitWidth: 8, Round: pt.Round.String(), Inherits: pt.Inherit})
	}
	for _, np := range p.Nodes {
		ni := NodeInfo{Name: np.Node.Name, OpType: np.Node.OpType, Device: "CPU", Reason: np.Reason,
			FusedInto: np.FusedInto, FusedFrom: np.FusedFrom}
		if np.OnDPU() {
			ni.Device, ni.Output = "DPU", np.Output
		}
		if np.role == roleConvLike {
			s := p.shifts(np)
			ni.ShiftCut = &s.ShiftCut
			if s.HasBias {
				ni.ShiftBias = &s.ShiftBias
			}
		}
		ni.Approx = np.approxInfo()
		qi.Nodes = append(qi.Nodes, ni)
	}
	return qi
}

func (np *NodePlan) approxInfo() *ApproxInfo {
	switch np.Approx {
	case ApproxLeakyRelu:
		return &ApproxInfo{Kind: np.Approx, Slope: LeakyReluSlope}
	case ApproxHardSigmoid:
		return &ApproxInfo{Kind: np.Approx, Mul: HardSigmoidMul, Shift: HardSigmoidShift}
	case ApproxHardSwish:
		fp := HardSwishSigmoidFixPos
		return &ApproxInfo{Kind: np.Approx, Mul: HardSigmoidMul, Shift: HardSigmoidShift, SigmoidFixPos: &fp}
	case ApproxAvgPool:
		return &ApproxInfo{Kind: np.Approx, N: np.AvgN, M: np.AvgM, Window: np.AvgRec, Gain: avgGain(np.AvgN, np.AvgM, np.AvgRec)}
	}
	return nil
}

// MarshalIndent gives the JSON bytes (two-space indent, trailing newline).
func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// JSON encodes the quant info.
func (qi *QuantInfo) JSON() ([]byte, error) { return marshalJSON(qi) }
