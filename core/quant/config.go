package quant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"fixq/core/graph"
)

// Method is how a fix_pos is chosen (§1.3 item 6).
type Method string

const (
	// MethodDiffs searches 5 candidates for the least squared error (the
	// vai_q_pytorch default).
	MethodDiffs Method = "diffs"
	// MethodMaxMin takes the non-overflow position (scope 1).
	MethodMaxMin Method = "maxmin"
)

func (m Method) scope() int {
	if m == MethodMaxMin {
		return 1
	}
	return DiffsScope
}

func (m Method) valid() bool { return m == "" || m == MethodDiffs || m == MethodMaxMin }

// DefaultCalibSize is the number of calibration samples used when
// Config.CalibSize is 0.
const DefaultCalibSize = 100

// MaxCalibSize bounds Config.CalibSize.
const MaxCalibSize = 1 << 20

// Config is a quantization configuration. The zero value is the DPU
// default: diffs for activations, weights and biases, 100 calibration
// samples, 8 bits, no CLE, no bias correction, every node quantized.
//
// Settings of a node are resolved with the precedence defaults < OpTypes
// < Nodes < Float (see Config.For). The JSON form uses the field tags
// below; unknown fields are errors (ParseConfig).
type Config struct {
	// Method chooses activation fix_pos ("" = diffs). Model inputs always
	// use maxmin (§1.3 item 3).
	Method Method `json:"method,omitempty"`
	// WeightMethod chooses weight and bias fix_pos ("" = diffs).
	WeightMethod Method `json:"weight_method,omitempty"`
	// CalibSize is the number of calibration samples (0 = 100).
	CalibSize int `json:"calib_size,omitempty"`
	// BitWidth must be 0 or 8 (the DPU's only width, §1.4).
	BitWidth int `json:"bit_width,omitempty"`
	// CLE runs cross-layer equalization before calibration (cle.go).
	CLE bool `json:"cle,omitempty"`
	// BiasCorrection corrects biases after calibration (biascorr.go).
	BiasCorrection bool `json:"bias_correction,omitempty"`
	// FastFinetune fine-tunes conv-like weights and biases with AdaQuant
	// (core/train) on the calibration samples, then re-calibrates
	// (adaquant.go); Finetune tunes it.
	FastFinetune bool           `json:"fast_finetune,omitempty"`
	Finetune     FinetuneConfig `json:"finetune,omitempty"`
	// OpTypes overrides settings for every node of an ONNX op_type.
	OpTypes map[string]Override `json:"op_types,omitempty"`
	// Nodes overrides settings for nodes by name.
	Nodes map[string]Override `json:"nodes,omitempty"`
	// Float lists nodes kept in float: they run on the CPU side, their
	// outputs are not quantized (their DPU consumers quantize them).
	Float []string `json:"float,omitempty"`
}

// Override changes some settings; empty fields inherit.
type Override struct {
	Method       Method `json:"method,omitempty"`
	WeightMethod Method `json:"weight_method,omitempty"`
	// Float, when set, keeps the node in float (true) or quantizes it
	// (false) regardless of a less specific rule.
	Float *bool `json:"float,omitempty"`
}

// NodeSetting is the effective setting of one node.
type NodeSetting struct {
	Method       Method
	WeightMethod Method
	Float        bool
	// FloatBy names the rule that decided Float: "default",
	// "op_types[Conv]", "nodes[conv_1]" or "float".
	FloatBy string
}

// ParseConfig decodes the JSON form of a Config, rejecting unknown fields
// and trailing data, and validates it.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("quant config: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return Config{}, fmt.Errorf("quant config: trailing data after the JSON object")
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks field values (not node names; see ValidateFor).
func (c *Config) Validate() error {
	if !c.Method.valid() {
		return fmt.Errorf("quant config: method %q, want diffs or maxmin", c.Method)
	}
	if !c.WeightMethod.valid() {
		return fmt.Errorf("quant config: weight_method %q, want diffs or maxmin", c.WeightMethod)
	}
	if c.BitWidth != 0 && c.BitWidth != 8 {
		return fmt.Errorf("quant config: bit_width %d: the DPU supports only 8 (DPU-ARITHMETIC.md §1.4)", c.BitWidth)
	}
	if c.CalibSize < 0 || c.CalibSize > MaxCalibSize {
		return fmt.Errorf("quant config: calib_size %d outside [0, %d]", c.CalibSize, MaxCalibSize)
	}
	if err := c.Finetune.validate(); err != nil {
		return err
	}
	for _, k := range sortedKeys(c.OpTypes) {
		o := c.OpTypes[k]
		if !o.Method.valid() || !o.WeightMethod.valid() {
			return fmt.Errorf("quant config: op_types[%s]: method must be diffs or maxmin", k)
		}
	}
	for _, k := range sortedKeys(c.Nodes) {
		o := c.Nodes[k]
		if !o.Method.valid() || !o.WeightMethod.valid() {
			return fmt.Errorf("quant config: nodes[%s]: method must be diffs or maxmin", k)
		}
	}
	return nil
}

// ValidateFor checks that every node name the config mentions exists in g,
// so a typo is an error rather than a silently ignored setting.
func (c *Config) ValidateFor(g *graph.Graph) error {
	if err := c.Validate(); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, n := range g.Nodes {
		names[n.Name] = true
	}
	for _, k := range sortedKeys(c.Nodes) {
		if !names[k] {
			return fmt.Errorf("quant config: nodes[%s]: no node of that name in the model", k)
		}
	}
	for _, k := range c.Float {
		if !names[k] {
			return fmt.Errorf("quant config: float: no node named %q in the model", k)
		}
	}
	return nil
}

// calibSize is CalibSize with the default applied.
func (c *Config) calibSize() int {
	if c.CalibSize == 0 {
		return DefaultCalibSize
	}
	return c.CalibSize
}

// For returns the effective setting of node n: defaults, then
// OpTypes[n.OpType], then Nodes[n.Name], then the Float list.
func (c *Config) For(n *graph.Node) NodeSetting {
	s := NodeSetting{Method: MethodDiffs, WeightMethod: MethodDiffs, FloatBy: "default"}
	if c.Method != "" {
		s.Method = c.Method
	}
	if c.WeightMethod != "" {
		s.WeightMethod = c.WeightMethod
	}
	apply := func(o Override, by string) {
		if o.Method != "" {
			s.Method = o.Method
		}
		if o.WeightMethod != "" {
			s.WeightMethod = o.WeightMethod
		}
		if o.Float != nil {
			s.Float, s.FloatBy = *o.Float, by
		}
	}
	if o, ok := c.OpTypes[n.OpType]; ok {
		apply(o, "op_types["+n.OpType+"]")
	}
	if o, ok := c.Nodes[n.Name]; ok {
		apply(o, "nodes["+n.Name+"]")
	}
	for _, f := range c.Float {
		if f == n.Name {
			s.Float, s.FloatBy = true, "float"
		}
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
