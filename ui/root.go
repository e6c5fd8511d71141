package ui

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"
)

// Root is the whole page: inputs, options, actions, progress and results.
type Root struct {
	Bridge  Bridge
	Version string

	Form Form
	// syncForm asks Rendered to push Form into the inputs' DOM properties
	// after a change the user did not type (a model, the demo).
	syncForm bool
	// clearPickers asks Rendered to empty the file inputs, whose names
	// would otherwise disagree with what the demo or a drop put in.
	clearPickers bool

	ModelName  string
	ModelNote  string
	modelFile  js.Value
	modelGen   int // counts model picks, so a late header read is dropped
	modelShape []int64
	CalibN     int
	CalibLabel string
	calibFiles js.Value
	EvalN      int
	EvalLabel  string
	evalFiles  js.Value

	Busy    bool
	Stage   string
	Percent float64
	// progressSeq numbers progress reports (they arrive on the browser's
	// thread and are applied by goroutines, possibly out of order).
	progressSeq   atomic.Int64
	progressShown int64

	ErrTitle, ErrDetail string
	Notice              string
	Warnings            []string

	Inspect   *InspectResult
	Report    *QuantReport
	Info      *QuantInfo
	Rows      []LayerRow
	Chosen    string // tensor of the layer whose chart is shown
	Eval      *EvalResult
	Downloads *QuantizeResult
	UsedJSON  string // the options of the last quantization
	Elapsed   string

	env vugu.EventEnv
}

// Init registers the drop handler.
func (c *Root) Init(ctx vugu.InitCtx) {
	c.env = ctx.EventEnv()
	if c.Form.Target == "" {
		c.Form = DefaultForm()
	}
	c.Bridge.OnDrop(func(d Drop) {
		c.env.Lock()
		defer c.env.UnlockRender()
		c.onDrop(d)
	})
}

// Rendered pushes programmatic form changes into the inputs (a DOM
// input's value property stops following its attribute once typed in).
func (c *Root) Rendered(ctx vugu.RenderedCtx) {
	doc := js.Global().Get("document")
	set := func(id, prop string, v interface{}) {
		if el := doc.Call("getElementById", id); el.Truthy() {
			el.Set(prop, v)
		}
	}
	if c.clearPickers {
		c.clearPickers = false
		for _, id := range []string{"f-model", "f-calib", "f-calib-files", "f-eval"} {
			set(id, "value", "")
		}
	}
	if !c.syncForm {
		return
	}
	c.syncForm = false
	f := c.Form
	set("f-size", "value", f.InputSize)
	set("f-mean", "value", f.Mean)
	set("f-std", "value", f.Std)
	set("f-order", "value", f.ChannelOrder)
	set("f-calib-n", "value", f.CalibCount)
	set("f-target", "value", f.Target)
	set("f-method", "value", f.Method)
}

// Ready reports whether a job can start: a model, and for Quantize
// calibration images.
func (c *Root) CanInspect() bool  { return !c.Busy && c.modelFile.Truthy() }
func (c *Root) CanQuantize() bool { return c.CanInspect() && c.CalibN > 0 }

func (c *Root) clearError() { c.ErrTitle, c.ErrDetail = "", "" }

func (c *Root) fail(err error) {
	c.ErrTitle, c.ErrDetail = Describe(err)
}

func (c *Root) clearResults() {
	c.Inspect, c.Report, c.Info, c.Rows, c.Eval, c.Downloads, c.Warnings = nil, nil, nil, nil, nil, nil, nil
	c.Chosen, c.UsedJSON, c.Elapsed = "", "", ""
}

// OnModelChange takes the file picked in the "ONNX model" input.
func (c *Root) OnModelChange(e vugu.DOMEvent) {
	files := e.JSEventTarget().Get("files")
	if files.Length() == 0 {
		return
	}
	c.setModel(files.Index(0))
}

func (c *Root) setModel(f js.Value) {
	c.clearError()
	c.clearResults()
	c.modelFile = f
	c.modelShape = nil
	c.modelGen++
	c.ModelName = f.Get("name").String()
	c.ModelNote = "reading…"
	go c.readModelHeader(f, c.modelGen)
}

// readModelHeader infers the preprocessing from the model's input.
func (c *Root) readModelHeader(f js.Value, gen int) {
	b, err := c.Bridge.ReadBytes(f)
	var inputs []ModelInput
	if err == nil {
		inputs, err = ReadModelInputs(b)
	}
	c.env.Lock()
	defer c.env.UnlockRender()
	if gen != c.modelGen {
		return // another model was picked meanwhile
	}
	if err != nil {
		c.modelFile = js.Undefined()
		c.ModelNote = ""
		set := js.Global().Get("document").Call("getElementById", "f-model")
		if set.Truthy() {
			set.Set("value", "") // so picking the same file again fires change
		}
		detail := strings.TrimPrefix(err.Error(), errNotONNX.Error()+": ")
		c.fail(errorf("BAD_MODEL", "%s is not an ONNX model (%s). Pick a .onnx file, as exported by PyTorch, tf2onnx or Paddle2ONNX.", c.ModelName, detail))
		return
	}
	note, err := c.Form.InferPreprocess(inputs)
	if len(inputs) == 1 {
		c.modelShape = inputs[0].Shape
	}
	c.syncForm = true
	c.ModelNote = fmt.Sprintf("%s, input %s %s", sizeText(len(b)), inputs[0].Name, shapeText(inputs[0].Shape))
	if len(inputs) != 1 {
		c.ModelNote = fmt.Sprintf("%s, %d inputs", sizeText(len(b)), len(inputs))
	}
	if err != nil {
		c.fail(errorf("BAD_OPTIONS", "%v", err))
		return
	}
	c.Notice = note
}

// OnCalibChange takes the "Calibration images" folder or files.
func (c *Root) OnCalibChange(e vugu.DOMEvent) {
	c.setCalib(e.JSEventTarget().Get("files"))
}

func (c *Root) setCalib(list js.Value) {
	files, n, folder := c.Bridge.Images(list)
	c.clearError()
	if n == 0 {
		c.fail(errorf("BAD_DATA", "no PNG or JPEG images among the %d files chosen", list.Length()))
		return
	}
	c.calibFiles, c.CalibN = files, n
	c.CalibLabel = imagesText(n, folder)
	c.Form.CalibCount = fmt.Sprint(min(n, 100))
	c.syncForm = true
}

// OnEvalChange takes the "Evaluation images" folder (one sub-folder per class).
func (c *Root) OnEvalChange(e vugu.DOMEvent) {
	files, n, folder := c.Bridge.Images(e.JSEventTarget().Get("files"))
	c.clearError()
	if n == 0 {
		c.fail(errorf("BAD_DATA", "no PNG or JPEG images in the evaluation folder"))
		return
	}
	c.evalFiles, c.EvalN, c.EvalLabel = files, n, imagesText(n, folder)
}

func (c *Root) onDrop(d Drop) {
	c.clearPickers = true
	if d.Model.Truthy() {
		c.setModel(d.Model)
	}
	if d.ImageN == 0 {
		return
	}
	if d.ForEval {
		c.evalFiles, c.EvalN, c.EvalLabel = d.Images, d.ImageN, imagesText(d.ImageN, d.Folder)
		return
	}
	c.calibFiles, c.CalibN = d.Images, d.ImageN
	c.CalibLabel = imagesText(d.ImageN, d.Folder)
	c.Form.CalibCount = fmt.Sprint(min(d.ImageN, 100))
	c.syncForm = true
}

// LoadDemo fills in the bundled demo.
func (c *Root) LoadDemo() {
	c.clearError()
	c.clearResults()
	c.Busy, c.Stage, c.Percent = true, "loading the demo", 0
	go func() {
		d, err := c.Bridge.LoadDemo()
		c.env.Lock()
		defer c.env.UnlockRender()
		c.Busy = false
		if err != nil {
			c.fail(err)
			return
		}
		var m Manifest
		if err := json.Unmarshal([]byte(d.Manifest), &m); err != nil {
			c.fail(fmt.Errorf("demo/manifest.json: %v", err))
			return
		}
		c.modelFile, c.modelShape = d.Model, m.Input.Shape
		c.ModelName = d.Model.Get("name").String()
		c.ModelNote = fmt.Sprintf("%s, input %s", sizeText(d.Model.Get("size").Int()), shapeText([]int64(m.Input.Shape)))
		if m.Description != "" {
			c.ModelNote += " — " + m.Description
		}
		c.calibFiles, c.CalibN, c.CalibLabel = d.Calib, d.CalibN, imagesText(d.CalibN, "demo/calib")
		c.evalFiles, c.EvalN, c.EvalLabel = d.Eval, d.EvalN, imagesText(d.EvalN, "demo/eval")
		if err := c.Form.ApplyManifest(m); err != nil {
			c.fail(err)
		}
		c.syncForm, c.clearPickers = true, true
		c.Notice = "Demo loaded: press Quantize."
	}()
}

// progress is the module's progress callback (browser thread: no blocking
// beyond the render lock, which the waiting goroutine does not hold).
func (c *Root) progress(stage string, pct float64) {
	seq := c.progressSeq.Add(1)
	go func() {
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.Busy && seq > c.progressShown {
			c.progressShown = seq
			c.Stage, c.Percent = stage, pct
		}
	}()
}

func (c *Root) inspectOptions() string {
	b, _ := json.Marshal(struct {
		Target     string  `json:"target,omitempty"`
		InputShape []int64 `json:"input_shape,omitempty"`
	}{c.Form.Target, c.inputShape()})
	return string(b)
}

// inputShape sizes a model input with dynamic channel or spatial dims
// from the form, [1, C, H, W] (or NHWC); nil when only the batch is
// dynamic (the Inspector takes 1 for it) or the shape is unknown.
func (c *Root) inputShape() []int64 {
	s := c.modelShape
	if len(s) != 4 || (s[1] > 0 && s[2] > 0 && s[3] > 0) {
		return nil
	}
	hw, err := parseSize(c.Form.InputSize)
	if err != nil {
		return nil
	}
	ch := int64(3)
	if c.Form.ChannelOrder == OrderGray {
		ch = 1
	}
	if c.Form.Layout == "nhwc" {
		return []int64{1, int64(hw[0]), int64(hw[1]), ch}
	}
	return []int64{1, ch, int64(hw[0]), int64(hw[1])}
}

// OnInspect runs the Inspector.
func (c *Root) OnInspect() {
	if !c.CanInspect() {
		return
	}
	c.clearError()
	c.Notice = ""
	c.Busy, c.Stage, c.Percent = true, "inspect", 0
	model, opts := c.modelFile, c.inspectOptions()
	go func() {
		res, err := c.runInspect(model, opts)
		c.env.Lock()
		defer c.env.UnlockRender()
		c.Busy = false
		if err != nil {
			c.fail(err)
			return
		}
		c.Inspect = res
		c.Rows = JoinLayers(c.Report, c.Info, c.latency())
	}()
}

func (c *Root) runInspect(model js.Value, opts string) (*InspectResult, error) {
	s, err := c.Bridge.Inspect(model, opts)
	if err != nil {
		return nil, err
	}
	var res InspectResult
	if err := json.Unmarshal([]byte(s), &res); err != nil {
		return nil, fmt.Errorf("inspector result: %v", err)
	}
	return &res, nil
}

func (c *Root) latency() *LatencyReport {
	if c.Inspect == nil {
		return nil
	}
	return c.Inspect.Latency
}

// OnQuantize runs the Inspector (for the cycles, if not done), the
// quantizer and, with evaluation images, the top-1 comparison.
func (c *Root) OnQuantize() {
	if !c.CanQuantize() {
		return
	}
	c.clearError()
	c.Notice = ""
	opts, err := c.Form.OptionsJSON()
	if err != nil {
		c.fail(errorf("BAD_OPTIONS", "%v", err))
		return
	}
	c.Busy, c.Stage, c.Percent = true, "starting", 0
	c.Report, c.Info, c.Rows, c.Eval, c.Downloads, c.Warnings = nil, nil, nil, nil, nil, nil
	model, calib, evalFiles, iopts := c.modelFile, c.calibFiles, c.evalFiles, c.inspectOptions()
	needInspect := c.Inspect == nil || c.Inspect.Inspector.Target != c.Form.Target
	go func() {
		var ins *InspectResult
		var err error
		if needInspect {
			c.progress("inspect", 0)
			if ins, err = c.runInspect(model, iopts); err != nil {
				c.finish(err)
				return
			}
		}
		start := time.Now()
		res, err := c.Bridge.Quantize(model, calib, opts, c.progress)
		if err != nil {
			c.finish(err)
			return
		}
		var rep QuantReport
		var info QuantInfo
		if err := json.Unmarshal([]byte(res.Report), &rep); err != nil {
			c.finish(fmt.Errorf("report: %v", err))
			return
		}
		if err := json.Unmarshal([]byte(res.QuantInfo), &info); err != nil {
			c.finish(fmt.Errorf("quant info: %v", err))
			return
		}
		elapsed := time.Since(start)
		c.env.Lock()
		if ins != nil {
			c.Inspect = ins
		}
		c.Report, c.Info, c.Downloads, c.Warnings, c.UsedJSON = &rep, &info, res, res.Warnings, opts
		c.Rows = JoinLayers(&rep, &info, c.latency())
		c.Chosen = defaultChosen(c.Rows)
		c.Elapsed = fmt.Sprintf("%.2f s", elapsed.Seconds())
		if res.Millis > 0 {
			c.Elapsed = fmt.Sprintf("%.2f s", res.Millis/1000)
		}
		hasEval := evalFiles.Truthy() && evalFiles.Length() > 0
		if !hasEval {
			c.Busy = false
		}
		c.env.UnlockRender()
		if !hasEval {
			return
		}
		s, err := c.Bridge.Evaluate(model, evalFiles, opts, c.progress)
		if IsCode(err, "NOT_IMPLEMENTED") {
			c.env.Lock()
			c.Busy, c.Notice = false, "Top-1 comparison: "+err.Error()
			c.env.UnlockRender()
			return
		}
		if err != nil {
			c.finish(err)
			return
		}
		var ev EvalResult
		if err := json.Unmarshal([]byte(s), &ev); err != nil {
			c.finish(fmt.Errorf("evaluation result: %v", err))
			return
		}
		c.env.Lock()
		c.Eval = &ev
		c.Busy = false
		c.env.UnlockRender()
	}()
}

// finish ends a job with an error.
func (c *Root) finish(err error) {
	c.env.Lock()
	defer c.env.UnlockRender()
	c.Busy = false
	c.fail(err)
}

// OnCancel aborts the running job.
func (c *Root) OnCancel() {
	c.Stage = "cancelling"
	c.Bridge.Cancel()
}

// Form field handlers.
func (c *Root) SetTarget(e vugu.DOMEvent) { c.Form.Target = e.PropString("target", "value") }
func (c *Root) SetMethod(e vugu.DOMEvent) { c.Form.Method = e.PropString("target", "value") }
func (c *Root) SetOrder(e vugu.DOMEvent)  { c.Form.ChannelOrder = e.PropString("target", "value") }
func (c *Root) SetSize(e vugu.DOMEvent)   { c.Form.InputSize = e.PropString("target", "value") }
func (c *Root) SetMean(e vugu.DOMEvent)   { c.Form.Mean = e.PropString("target", "value") }
func (c *Root) SetStd(e vugu.DOMEvent)    { c.Form.Std = e.PropString("target", "value") }
func (c *Root) SetCalibN(e vugu.DOMEvent) { c.Form.CalibCount = e.PropString("target", "value") }
func (c *Root) SetCLE(e vugu.DOMEvent)    { c.Form.CLE = e.PropBool("target", "checked") }
func (c *Root) SetBC(e vugu.DOMEvent)     { c.Form.BiasCorrection = e.PropBool("target", "checked") }
func (c *Root) SetFT(e vugu.DOMEvent)     { c.Form.FastFinetune = e.PropBool("target", "checked") }
func (c *Root) SetSkip(e vugu.DOMEvent)   { c.Form.SkipBadImages = e.PropBool("target", "checked") }
func (c *Root) SetChosen(e vugu.DOMEvent) { c.Chosen = e.PropString("target", "value") }
func (c *Root) DragOver(e vugu.DOMEvent)  { e.PreventDefault() }

// ChosenRow is the layer whose chart is shown.
func (c *Root) ChosenRow() *LayerRow {
	for i := range c.Rows {
		if c.Rows[i].Tensor == c.Chosen {
			return &c.Rows[i]
		}
	}
	return nil
}

// ChartSVG is the chosen layer's chart, as markup (vg-html escapes a
// plain string).
func (c *Root) ChartSVG() vugu.HTML {
	r := c.ChosenRow()
	if r == nil {
		return ""
	}
	return vugu.HTML(HistogramSVG(*r))
}

// defaultChosen picks the layer with the lowest SQNR: the one most worth a look.
func defaultChosen(rows []LayerRow) string {
	best, bestDB := "", math.Inf(1)
	for _, r := range rows {
		if r.SQNRdB != nil && *r.SQNRdB < bestDB {
			best, bestDB = r.Tensor, *r.SQNRdB
		}
	}
	if best == "" && len(rows) > 0 {
		best = rows[0].Tensor
	}
	return best
}

// PercentText is the progress as a whole number for aria-valuenow.
func (c *Root) PercentText() string {
	return fmt.Sprintf("%.0f", math.Max(0, math.Min(100, c.Percent)))
}

// ProgressStyle sizes the bar.
func (c *Root) ProgressStyle() string { return "width: " + c.PercentText() + "%" }

// SummaryText is the Inspector's one-line verdict.
func (c *Root) SummaryText() string {
	if c.Inspect == nil {
		return ""
	}
	s := c.Inspect.Inspector.Summary
	return fmt.Sprintf("%d DPU subgraph%s, %d CPU subgraph%s (%d nodes on the DPU, %d on the CPU)",
		s.DPUSubgraphs, plural(s.DPUSubgraphs), s.CPUSubgraphs, plural(s.CPUSubgraphs), s.DPUNodes, s.CPUNodes)
}

// LatencyText is the estimated DPU latency and frame rate.
func (c *Root) LatencyText() string {
	l := c.latency()
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%.3f ms per frame, %.0f FPS on %s at %.0f MHz (%s cycles, %.0f%% of peak %.0f GOPS)",
		l.LatencyMs, l.FPS, l.Target, l.ClockMHz, groupDigits(l.TotalCycles), 100*l.Utilization, l.PeakGOPS)
}

// Top1Text compares float and quantized accuracy.
func (c *Root) Top1Text() string {
	if c.Eval == nil {
		return ""
	}
	e := c.Eval
	return fmt.Sprintf("float %.2f%%, quantized %.2f%% (%+.2f points) on %d images", 100*e.FloatTop1, 100*e.QuantTop1, 100*(e.QuantTop1-e.FloatTop1), e.Images)
}

// DownloadName is the file name of a download, from the model's name.
func (c *Root) DownloadName(suffix string) string {
	base := strings.TrimSuffix(c.ModelName, ".onnx")
	if base == "" {
		base = "model"
	}
	return base + suffix
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func imagesText(n int, folder string) string {
	if folder != "" {
		return fmt.Sprintf("%d image%s from %s", n, plural(n), folder)
	}
	return fmt.Sprintf("%d image%s", n, plural(n))
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// LayoutText is the input layout in capitals.
func (c *Root) LayoutText() string { return strings.ToUpper(c.Form.Layout) }

// QuantizedText sums up the quantization.
func (c *Root) QuantizedText() string {
	if c.Report == nil {
		return ""
	}
	return fmt.Sprintf("%d activations quantized on %d calibration images in %s", len(c.Report.Layers), c.Report.CalibSamples, c.Elapsed)
}
