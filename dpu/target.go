package dpu

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// targets.json restates the DPU target descriptions that Vitis AI's
// compiler and Inspector read: Xilinx/Vitis-AI
// src/vai_runtime/target_factory/targets/DPUCZDX8G_ISA1_B{512,...,4096}.prototxt
// and DPUCVDX8G_ISA3_C32B1.prototxt (DPU-ARITHMETIC.md §4.1, §4.2, §4.5).
// Every number in it is copied from those files; the only additions are
// default_clock_mhz (300 MHz for the PL DPUs, the clock of the Vitis AI
// model-zoo boards; 1250 MHz, the AIE clock of PG389's C32B1 example, for
// the Versal one) and ddr_gbps (see latency.go).
//
//go:embed targets.json
var targetsJSON []byte

// DefaultTargetName is the target used when none is named.
const DefaultTargetName = "DPUCZDX8G_ISA1_B4096"

// Target describes one DPU configuration (DPU-ARITHMETIC.md §4.1-4.2).
// Fields mirror the target prototxt; names follow it.
type Target struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	ISAVersion  int    `json:"isa_version"`
	FeatureCode string `json:"feature_code"`
	// DefaultClockMHz is the clock EstimateLatency uses when given none.
	DefaultClockMHz float64 `json:"default_clock_mhz"`
	// DDRGBps is the effective DDR bandwidth of one core in GB/s (1e9
	// bytes/s) for the latency model; 0 means DefaultDDRGBps.
	DDRGBps float64 `json:"ddr_gbps,omitempty"`

	Banks               []BankGroup `json:"banks"`
	LoadChannelParallel int         `json:"load_channel_parallel"`
	SaveChannelParallel int         `json:"save_channel_parallel"`
	// SaveArgmax: the save engine can compute argmax over channels.
	SaveArgmax bool `json:"save_argmax"`

	Conv    ConvEngine    `json:"conv"`
	Eltwise EltwiseEngine `json:"eltwise"`
	ALU     ALUEngine     `json:"alu"`
}

// BankGroup is one on-chip buffer group (bank_group in the prototxt).
type BankGroup struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Num   int    `json:"num"`
	Width int    `json:"width"`
	Depth int    `json:"depth"`
}

// ConvEngine is the convolution engine (conv_engine).
type ConvEngine struct {
	InputChannelParallel  int `json:"input_channel_parallel"`
	OutputChannelParallel int `json:"output_channel_parallel"`
	PixelParallel         int `json:"pixel_parallel"`
	// ChannelAugmentation is channel_augmentation.channel_num (0: none).
	ChannelAugmentation int      `json:"channel_augmentation"`
	Nonlinear           []string `json:"nonlinear"`
	Kernel              Range    `json:"kernel"`
	Stride              Range    `json:"stride"`
	StrideOutH          Range    `json:"stride_out_h"`
}

// EltwiseEngine is the element-wise engine (eltwise_engine).
type EltwiseEngine struct {
	ChannelParallel int      `json:"channel_parallel"`
	PixelParallel   int      `json:"pixel_parallel"`
	Nonlinear       []string `json:"nonlinear"`
	// Types are the elew_type values: "add", "mult".
	Types []string `json:"types"`
}

// ALUEngine is the misc engine for depthwise conv, pooling and friends
// (alu_engine).
type ALUEngine struct {
	ChannelParallel int `json:"channel_parallel"`
	PixelParallel   int `json:"pixel_parallel"`
	// Types are the alu_type values ("dwconv", "avg_pool", "hsigmoid", ...).
	Types      []string `json:"types"`
	Nonlinear  []string `json:"nonlinear"`
	Kernel     Range    `json:"kernel"`
	Stride     Range    `json:"stride"`
	StrideOutH Range    `json:"stride_out_h"`
	Pad        PadLimit `json:"pad"`
}

// PadLimit is the ALU's pad_limit.
type PadLimit struct {
	Left   Range `json:"left"`
	Right  Range `json:"right"`
	Top    Range `json:"top"`
	Bottom Range `json:"bottom"`
}

// Range is an inclusive integer range written "lo-hi" as in the prototxt.
type Range struct{ Min, Max int }

// Contains reports whether Min <= v <= Max.
func (r Range) Contains(v int) bool { return v >= r.Min && v <= r.Max }

func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Min, r.Max) }

// MarshalJSON writes "lo-hi".
func (r Range) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// UnmarshalJSON reads "lo-hi".
func (r *Range) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("range: %w", err)
	}
	lo, hi, ok := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(lo)
	c, err2 := strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil || a > c {
		return fmt.Errorf("range %q: want \"lo-hi\"", s)
	}
	r.Min, r.Max = a, c
	return nil
}

// Bank returns the named bank group, or nil.
func (t *Target) Bank(name string) *BankGroup {
	for i := range t.Banks {
		if t.Banks[i].Name == name {
			return &t.Banks[i]
		}
	}
	return nil
}

// ChannelParallel is UG1414's "channel_parallel" intrinsic parameter, used by
// the conv limits of §4.3: the conv engine's input-channel parallelism.
func (t *Target) ChannelParallel() int { return t.Conv.InputChannelParallel }

// BankDepth is UG1414's "bank_depth": the depth of the conv weight banks.
func (t *Target) BankDepth() int {
	if b := t.Bank("CONVW"); b != nil {
		return b.Depth
	}
	return 0
}

// PeakOpsPerCycle is PP·ICP·OCP·2, a MAC counting as two ops (§4.1).
func (t *Target) PeakOpsPerCycle() int {
	c := t.Conv
	return 2 * c.PixelParallel * c.InputChannelParallel * c.OutputChannelParallel
}

// HasALU reports whether the ALU engine lists alu_type typ.
func (t *Target) HasALU(typ string) bool { return contains(t.ALU.Types, typ) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var builtinTargets = mustLoadTargets(targetsJSON)

func mustLoadTargets(b []byte) map[string]*Target {
	ts, err := decodeTargets(b)
	if err != nil {
		panic("dpu: embedded targets.json: " + err.Error()) // programmer error
	}
	m := map[string]*Target{}
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

func decodeTargets(b []byte) ([]*Target, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ts []*Target
	if err := dec.Decode(&ts); err != nil {
		return nil, err
	}
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// Validate checks that the parallelism figures are positive and the banks
// the rules need exist.
func (t *Target) Validate() error {
	c := t.Conv
	if t.Name == "" {
		return fmt.Errorf("dpu: target without a name")
	}
	for _, v := range []struct {
		what string
		n    int
	}{{"conv pixel_parallel", c.PixelParallel}, {"conv input_channel_parallel", c.InputChannelParallel},
		{"conv output_channel_parallel", c.OutputChannelParallel}, {"alu pixel_parallel", t.ALU.PixelParallel},
		{"alu channel_parallel", t.ALU.ChannelParallel}, {"eltwise pixel_parallel", t.Eltwise.PixelParallel},
		{"eltwise channel_parallel", t.Eltwise.ChannelParallel}} {
		if v.n <= 0 {
			return fmt.Errorf("dpu: target %s: %s is %d, want > 0", t.Name, v.what, v.n)
		}
	}
	if t.BankDepth() <= 0 {
		return fmt.Errorf("dpu: target %s: no CONVW bank", t.Name)
	}
	if t.DefaultClockMHz <= 0 {
		return fmt.Errorf("dpu: target %s: default_clock_mhz is %v", t.Name, t.DefaultClockMHz)
	}
	return nil
}

// TargetNames lists the built-in targets, sorted by peak ops then name.
func TargetNames() []string {
	names := make([]string, 0, len(builtinTargets))
	for n := range builtinTargets {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := builtinTargets[names[i]], builtinTargets[names[j]]
		if a.Type != b.Type {
			return a.Type > b.Type // DPUCZDX8G first
		}
		if pa, pb := a.PeakOpsPerCycle(), b.PeakOpsPerCycle(); pa != pb {
			return pa < pb
		}
		return names[i] < names[j]
	})
	return names
}

// LookupTarget returns a copy of the named built-in target (case-insensitive;
// "" means DefaultTargetName). The error lists the known names.
func LookupTarget(name string) (*Target, error) {
	if name == "" {
		name = DefaultTargetName
	}
	for n := range builtinTargets {
		if strings.EqualFold(n, name) {
			// A fresh decode gives the caller a deep copy it may edit.
			ts, _ := decodeTargets(targetsJSON)
			for _, t := range ts {
				if t.Name == n {
					return t, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("dpu: unknown target %q; known targets: %s", name, strings.Join(TargetNames(), ", "))
}
