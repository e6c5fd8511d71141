package job

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/passes"
	"fixq/dpu"
)

// Version is fixq's version, reported by every front end.
const Version = "0.1.0"

// Progress receives a stage name and how much of it is done (0..100).
type Progress func(stage string, percent float64)

func (p Progress) report(stage string, pct float64) {
	if p != nil {
		p(stage, pct)
	}
}

// Limits bound what a job accepts; zero fields take the defaults.
type Limits struct {
	MaxModelBytes int64 // default 256 MiB
	MaxImages     int   // default 10000
}

func (l Limits) modelBytes() int64 {
	if l.MaxModelBytes > 0 {
		return l.MaxModelBytes
	}
	return 256 << 20
}

// LoadModel decodes and checks a model (opset range, supported ops are
// checked later where needed).
func LoadModel(b []byte, lim Limits) (*graph.Model, error) {
	if int64(len(b)) > lim.modelBytes() {
		return nil, fmt.Errorf("model is %d bytes, over the limit of %d", len(b), lim.modelBytes())
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		return nil, err
	}
	if err := onnx.CheckOpset(m); err != nil {
		return nil, err
	}
	return m, nil
}

// InspectOptions choose the target and, for models with dynamic spatial
// dims, the input shape.
type InspectOptions struct {
	Target string `json:"target,omitempty"`
	// InputShapes sizes dynamic input dims (by input name); batch dims
	// default to 1.
	InputShapes map[string][]int `json:"input_shapes,omitempty"`
	// ClockMHz for the latency estimate (default 300).
	ClockMHz float64 `json:"clock_mhz,omitempty"`
}

// InspectResult is the Inspector's report plus the latency estimate.
type InspectResult struct {
	Report  *dpu.Report        `json:"inspector"`
	Latency *dpu.LatencyReport `json:"latency"`
}

// JSON is the result's stable JSON form (indented, trailing newline).
func (r *InspectResult) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r)
	return b.Bytes()
}

// Text is the human-readable report.
func (r *InspectResult) Text(verbose bool) string {
	var b bytes.Buffer
	_ = r.Report.WriteText(&b, verbose)
	if r.Latency != nil {
		b.WriteString("\n")
		_ = r.Latency.WriteText(&b)
	}
	return b.String()
}

// Inspect runs the Inspector and the latency model on an FP32 (or QDQ)
// model. The model is prepared (constants folded, BN folded, hard-swish
// recognised) first, as the DPU compiler would see it.
func Inspect(ctx context.Context, modelBytes []byte, opts InspectOptions, lim Limits) (*InspectResult, error) {
	m, err := LoadModel(modelBytes, lim)
	if err != nil {
		return nil, err
	}
	return InspectModel(ctx, m, opts)
}

// InspectModel is Inspect on a decoded model (which is not modified).
func InspectModel(ctx context.Context, m *graph.Model, opts InspectOptions) (*InspectResult, error) {
	t, err := dpu.LookupTarget(opts.Target)
	if err != nil {
		return nil, err
	}
	pm := passes.Clone(m)
	if err := passes.Prepare(pm, opts.InputShapes); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	shapes, err := engine.InferShapes(pm, opts.InputShapes)
	if err != nil {
		return nil, err
	}
	rep, err := dpu.Inspect(pm, shapes, t)
	if err != nil {
		return nil, err
	}
	clock := opts.ClockMHz
	if clock <= 0 {
		clock = 300
	}
	return &InspectResult{Report: rep, Latency: dpu.EstimateLatency(rep, shapes, t, clock)}, nil
}
