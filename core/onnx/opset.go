package onnx

import (
	"fmt"

	"fixq/core/graph"
)

// The ai.onnx operator-set versions fixq's engine runs. Decode accepts any
// version (so `fixq info` can describe any model); CheckOpset is the
// engine-side gate.
const (
	MinOpset = 7
	MaxOpset = 21
)

// CheckOpset returns an error unless m imports ai.onnx at a version in
// [MinOpset, MaxOpset]. Operator semantics (attributes versus inputs,
// defaults) changed across versions; outside this range fixq does not know
// them.
func CheckOpset(m *graph.Model) error {
	if m == nil {
		return fmt.Errorf("onnx: no model")
	}
	v, ok := m.Opsets[""]
	if !ok {
		return fmt.Errorf("onnx: model imports no ai.onnx operator set (fixq runs opsets %d to %d)", MinOpset, MaxOpset)
	}
	if v < MinOpset || v > MaxOpset {
		return fmt.Errorf("onnx: model uses ai.onnx opset %d; fixq runs opsets %d to %d (re-export the model with an opset in that range)", v, MinOpset, MaxOpset)
	}
	return nil
}
