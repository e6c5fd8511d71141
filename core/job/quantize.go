package job

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/prep"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/dpu"
)

// QuantizeOptions are the user's choices. The zero value quantizes with the
// DPU defaults (diffs, 100 calibration images) for the default target and
// preprocessing (resize to the model's input, scale 1/255).
type QuantizeOptions struct {
	Method         string `json:"method,omitempty"` // "diffs" (default) or "maxmin"
	CalibSize      int    `json:"calib_size,omitempty"`
	BatchSize      int    `json:"batch_size,omitempty"`
	CLE            bool   `json:"cle,omitempty"`
	BiasCorrection bool   `json:"bias_correction,omitempty"`
	FastFinetune   bool   `json:"fast_finetune,omitempty"`
	Seed           int64  `json:"seed,omitempty"`
	// Fast fine-tuning's iterations per layer, learning rate (in
	// quantization steps) and batch; 0 keeps the defaults (or Config's).
	FinetuneIterations int     `json:"finetune_iterations,omitempty"`
	FinetuneLR         float64 `json:"finetune_lr,omitempty"`
	FinetuneBatch      int     `json:"finetune_batch,omitempty"`
	Target             string  `json:"target,omitempty"`
	// Preprocess applies to image data (ignored for .npy data).
	Preprocess    prep.Options `json:"preprocess"`
	SkipBadImages bool         `json:"skip_bad_images,omitempty"`
	// Config is a full quantization config (quant.Config JSON) whose
	// overrides (by op type, node name, float nodes) apply on top.
	Config json.RawMessage `json:"config,omitempty"`
}

// ParseQuantizeOptions decodes options JSON, rejecting unknown fields.
func ParseQuantizeOptions(b []byte) (QuantizeOptions, error) {
	var o QuantizeOptions
	if len(bytes.TrimSpace(b)) == 0 {
		return o, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return o, fmt.Errorf("options: %w", err)
	}
	return o, o.Preprocess.Validate()
}

// QuantizeRequest is one quantization job.
type QuantizeRequest struct {
	Model   []byte
	Calib   *prep.Dataset
	Options QuantizeOptions
}

// QuantizeResult is what a job gives back: the QDQ model and two JSON
// documents, all deterministic for the same request.
type QuantizeResult struct {
	Model     []byte
	QuantInfo []byte
	Report    []byte
	Warnings  []string
}

func (o QuantizeOptions) quantConfig() (quant.Config, error) {
	var cfg quant.Config
	if len(o.Config) > 0 {
		var err error
		if cfg, err = quant.ParseConfig(o.Config); err != nil {
			return cfg, err
		}
	}
	if o.Method != "" {
		cfg.Method = quant.Method(o.Method)
	}
	if o.CalibSize > 0 {
		cfg.CalibSize = o.CalibSize
	}
	cfg.CLE = cfg.CLE || o.CLE
	cfg.BiasCorrection = cfg.BiasCorrection || o.BiasCorrection
	cfg.FastFinetune = cfg.FastFinetune || o.FastFinetune
	if o.Seed != 0 {
		cfg.Finetune.Seed = o.Seed
	}
	if o.FinetuneIterations != 0 {
		cfg.Finetune.Iterations = o.FinetuneIterations
	}
	if o.FinetuneLR != 0 {
		cfg.Finetune.LR = o.FinetuneLR
	}
	if o.FinetuneBatch != 0 {
		cfg.Finetune.Batch = o.FinetuneBatch
	}
	return cfg, cfg.Validate()
}

// ModelGeometry finds the single image-like input of a model: its name and
// C, H, W (NCHW) or H, W, C (NHWC), with dynamic dims taken from the
// preprocessing size or crop.
func ModelGeometry(m *graph.Model, o prep.Options) (string, prep.InputGeometry, []int, error) {
	var geo prep.InputGeometry
	if len(m.Graph.Inputs) != 1 {
		return "", geo, nil, fmt.Errorf("image data needs a model with one input; this one has %d (give a .npy per input instead)", len(m.Graph.Inputs))
	}
	vi := m.Graph.Inputs[0]
	if len(vi.Shape) != 4 {
		return "", geo, nil, fmt.Errorf("input %q has rank %d; image data needs a 4-D input", vi.Name, len(vi.Shape))
	}
	dims := make([]int, 4)
	for i, d := range vi.Shape {
		dims[i] = int(d.Value)
	}
	hw := o.Crop
	if hw[0] == 0 {
		hw = o.Size
	}
	cAxis, hAxis, wAxis := 1, 2, 3
	if o.Layout == "nhwc" {
		cAxis, hAxis, wAxis = 3, 1, 2
	}
	if dims[hAxis] < 0 || dims[wAxis] < 0 {
		if hw[0] == 0 {
			return "", geo, nil, fmt.Errorf("input %q has dynamic height/width: give an input size", vi.Name)
		}
		dims[hAxis], dims[wAxis] = hw[0], hw[1]
	} else if hw[0] != 0 && (hw[0] != dims[hAxis] || hw[1] != dims[wAxis]) {
		return "", geo, nil, fmt.Errorf("preprocessing gives %dx%d but input %q is %dx%d", hw[0], hw[1], vi.Name, dims[hAxis], dims[wAxis])
	}
	if dims[cAxis] < 0 {
		dims[cAxis] = 3
		if o.Gray {
			dims[cAxis] = 1
		}
	}
	geo = prep.InputGeometry{C: dims[cAxis], H: dims[hAxis], W: dims[wAxis]}
	dims[0] = 0
	return vi.Name, geo, dims, nil
}

// batchSource adapts prep.Batches (or a .npy dataset) to quant.BatchSource.
type batchSource struct {
	name string
	b    *prep.Batches
}

func (s *batchSource) Next(ctx context.Context) (map[string]*tensor.Tensor, error) {
	x, _, err := s.b.Next(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]*tensor.Tensor{s.name: x}, nil
}

// Rewind starts the data again (quant.Rewinder), so the quantizer streams
// a second pass instead of keeping the calibration set in memory.
func (s *batchSource) Rewind() error { s.b.Reset(); return nil }

// Quantize runs post-training quantization (and, as options say, CLE,
// bias correction and fast fine-tuning) and encodes the outputs.
func Quantize(ctx context.Context, req QuantizeRequest, lim Limits, progress Progress) (*QuantizeResult, error) {
	progress.report("load model", 0)
	m, err := LoadModel(req.Model, lim)
	if err != nil {
		return nil, err
	}
	if req.Calib == nil || req.Calib.Len() == 0 {
		return nil, fmt.Errorf("no calibration data")
	}
	maxImages := lim.MaxImages
	if maxImages <= 0 {
		maxImages = 10000
	}
	if req.Calib.Len() > maxImages {
		return nil, fmt.Errorf("%d calibration items, over the limit of %d", req.Calib.Len(), maxImages)
	}
	cfg, err := req.Options.quantConfig()
	if err != nil {
		return nil, err
	}
	calibSize := cfg.CalibSize
	if calibSize <= 0 {
		calibSize = quant.DefaultCalibSize
	}
	data := *req.Calib
	data.Limit(calibSize)
	name := ""
	var geo prep.InputGeometry
	if data.Tensor == nil {
		name, geo, _, err = ModelGeometry(m, req.Options.Preprocess)
		if err != nil {
			return nil, err
		}
	} else {
		if len(m.Graph.Inputs) != 1 {
			return nil, fmt.Errorf(".npy calibration data needs a model with one input")
		}
		name = m.Graph.Inputs[0].Name
	}
	src := &batchSource{name: name, b: &prep.Batches{D: &data, Opts: req.Options.Preprocess, Geo: geo, Size: req.Options.BatchSize, Skip: req.Options.SkipBadImages}}
	// The Inspector decides, for the chosen target, which nodes the DPU
	// runs; the rest stay float (CPU side) in the quantized model, so the
	// QDQ model, the emulator and the report all agree with it. The same
	// inspection gives the report its summary and latency estimate.
	shape := []int{1, geo.C, geo.H, geo.W}
	if req.Options.Preprocess.Layout == "nhwc" {
		shape = []int{1, geo.H, geo.W, geo.C}
	}
	if data.Tensor != nil {
		shape = append([]int{1}, data.Tensor.Shape[1:]...)
	}
	progress.report("inspect", 0)
	insp, err := InspectModel(ctx, m, InspectOptions{Target: req.Options.Target, InputShapes: map[string][]int{name: shape}})
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	cfg.Float = append(cfg.Float, inspectorCPUNodes(insp.Report, m, cfg)...)
	res, err := quant.Quantize(ctx, m, src, cfg, func(stage string, done, total int) { progress.report(stage, pct(done, total)) })
	if err != nil {
		return nil, err
	}
	progress.report("encode", 0)
	out := &QuantizeResult{}
	if out.Model, err = onnx.EncodeBytes(res.Model); err != nil {
		return nil, err
	}
	if out.QuantInfo, err = indentJSON(res.Info); err != nil {
		return nil, err
	}
	if out.Report, err = indentJSON(quantizeReport{Report: res.Report, Target: insp.Report.Target, Inspector: insp.Report.Summary, Latency: insp.Latency}); err != nil {
		return nil, err
	}
	for _, w := range src.b.Warns {
		out.Warnings = append(out.Warnings, "skipped "+w.String())
	}
	out.Warnings = append(out.Warnings, res.Warnings...)
	progress.report("done", 100)
	return out, nil
}

// inspectorCPUNodes lists the nodes the Inspector put on the CPU that the
// config does not already decide (an explicit per-node or per-op-type
// "float": false keeps a node quantized: the user's word wins).
func inspectorCPUNodes(r *dpu.Report, m *graph.Model, cfg quant.Config) []string {
	var out []string
	for _, n := range r.Nodes {
		if n.Device != dpu.DeviceCPU || m.Graph.NodeByName(n.Name) == nil {
			continue
		}
		if o, ok := cfg.Nodes[n.Name]; ok && o.Float != nil {
			continue
		}
		if o, ok := cfg.OpTypes[n.OpType]; ok && o.Float != nil {
			continue
		}
		out = append(out, n.Name)
	}
	return out
}

// quantizeReport is the report JSON: the quantizer's per-layer report
// plus the Inspector's summary and the latency estimate for the target
// (dpu.LatencyReport.Layers gives each DPU layer's cycles by node name).
type quantizeReport struct {
	*quant.Report
	Target    string             `json:"target"`
	Inspector dpu.Summary        `json:"inspector_summary"`
	Latency   *dpu.LatencyReport `json:"latency"`
}

func pct(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	return 100 * float64(done) / float64(total)
}

func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
