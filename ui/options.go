package ui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Targets are the DPU sizes the page offers (dpu/targets.json, the
// DPUCZDX8G family); the first is the core's default.
var Targets = []string{
	"DPUCZDX8G_ISA1_B4096", "DPUCZDX8G_ISA1_B3136", "DPUCZDX8G_ISA1_B2304", "DPUCZDX8G_ISA1_B1600",
	"DPUCZDX8G_ISA1_B1152", "DPUCZDX8G_ISA1_B1024", "DPUCZDX8G_ISA1_B800", "DPUCZDX8G_ISA1_B512",
}

// Channel orders of the "Channel order" choice.
const (
	OrderRGB  = "rgb"
	OrderBGR  = "bgr"
	OrderGray = "gray"
)

// Form is what the user typed and chose, as the inputs hold it (text for
// text fields), so that a half-typed value is never lost.
type Form struct {
	Target         string
	Method         string // "diffs" or "maxmin"
	CLE            bool
	BiasCorrection bool
	FastFinetune   bool
	SkipBadImages  bool
	CalibCount     string // number of calibration images
	Mean, Std      string // comma-separated
	InputSize      string // "HxW"
	ChannelOrder   string // OrderRGB, OrderBGR or OrderGray
	Layout         string // "nchw" or "nhwc", read from the model
}

// DefaultForm is the form before any model is chosen.
func DefaultForm() Form {
	return Form{Target: Targets[0], Method: "diffs", ChannelOrder: OrderRGB, Layout: "nchw",
		Mean: "0, 0, 0", Std: "1, 1, 1", CalibCount: "100"}
}

// InferPreprocess fills the preprocessing fields from a model's image
// input: layout from where the 1- or 3-channel axis is, channel order gray
// for one channel, the input size from H and W. It returns a note for the
// user when something had to be assumed, or an error when the model has
// no single 4-D input.
func (f *Form) InferPreprocess(inputs []ModelInput) (note string, err error) {
	if len(inputs) != 1 {
		return "", fmt.Errorf("the model has %d inputs; the page feeds images to a model with exactly one input", len(inputs))
	}
	in := inputs[0]
	if len(in.Shape) != 4 {
		return "", fmt.Errorf("input %q has shape %s; images need a 4-D input (NCHW or NHWC)", in.Name, shapeText(in.Shape))
	}
	c, h, w := in.Shape[1], in.Shape[2], in.Shape[3]
	f.Layout = "nchw"
	if (c != 1 && c != 3) && (in.Shape[3] == 1 || in.Shape[3] == 3) {
		f.Layout = "nhwc"
		h, w, c = in.Shape[1], in.Shape[2], in.Shape[3]
	}
	if c == 1 {
		f.ChannelOrder, f.Mean, f.Std = OrderGray, "0", "1"
	} else {
		if f.ChannelOrder == OrderGray {
			f.ChannelOrder = OrderRGB
		}
		f.Mean, f.Std = "0, 0, 0", "1, 1, 1"
	}
	if h > 0 && w > 0 {
		f.InputSize = fmt.Sprintf("%dx%d", h, w)
	} else {
		f.InputSize = "224x224"
		note = fmt.Sprintf("Input %q has a dynamic size %s: 224x224 assumed, change Input size if needed.", in.Name, shapeText(in.Shape))
	}
	return note, nil
}

func shapeText(s []int64) string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = strconv.FormatInt(d, 10)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Preprocess is core/prep.Options as JSON (the fields the page sets).
type Preprocess struct {
	Size   [2]int    `json:"size,omitempty"`
	Gray   bool      `json:"gray,omitempty"`
	BGR    bool      `json:"bgr,omitempty"`
	Mean   []float64 `json:"mean,omitempty"`
	Std    []float64 `json:"std,omitempty"`
	Layout string    `json:"layout,omitempty"`
}

// QuantizeOptions is core/job.QuantizeOptions as JSON (the fields the page
// sets); the same JSON given to `fixq quantize --options` gives the same
// bytes.
type QuantizeOptions struct {
	Method         string     `json:"method,omitempty"`
	CalibSize      int        `json:"calib_size,omitempty"`
	CLE            bool       `json:"cle,omitempty"`
	BiasCorrection bool       `json:"bias_correction,omitempty"`
	FastFinetune   bool       `json:"fast_finetune,omitempty"`
	Target         string     `json:"target,omitempty"`
	Preprocess     Preprocess `json:"preprocess"`
	SkipBadImages  bool       `json:"skip_bad_images,omitempty"`
}

// Options turns the form into job options. Mean 0 and std 1 on every
// channel are left out (they are the identity), so the JSON stays what a
// person would write.
func (f Form) Options() (QuantizeOptions, error) {
	o := QuantizeOptions{Method: f.Method, CLE: f.CLE, BiasCorrection: f.BiasCorrection,
		FastFinetune: f.FastFinetune, Target: f.Target, SkipBadImages: f.SkipBadImages}
	if o.Method == "diffs" {
		o.Method = "" // the default
	}
	if s := strings.TrimSpace(f.CalibCount); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("Number of calibration images: %q is not a positive whole number", s)
		}
		o.CalibSize = n
	}
	hw, err := parseSize(f.InputSize)
	if err != nil {
		return o, err
	}
	o.Preprocess.Size = hw
	switch f.ChannelOrder {
	case OrderGray:
		o.Preprocess.Gray = true
	case OrderBGR:
		o.Preprocess.BGR = true
	}
	if f.Layout == "nhwc" {
		o.Preprocess.Layout = "nhwc"
	}
	channels := 3
	if o.Preprocess.Gray {
		channels = 1
	}
	mean, err := parseFloats("Mean", f.Mean, channels)
	if err != nil {
		return o, err
	}
	std, err := parseFloats("Std", f.Std, channels)
	if err != nil {
		return o, err
	}
	for _, s := range std {
		if s <= 0 {
			return o, fmt.Errorf("Std: every value must be above 0")
		}
	}
	if !allEqual(mean, 0) || !allEqual(std, 1) {
		o.Preprocess.Mean, o.Preprocess.Std = mean, std
	}
	return o, nil
}

// OptionsJSON is Options encoded.
func (f Form) OptionsJSON() (string, error) {
	o, err := f.Options()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(o)
	return string(b), err
}

func allEqual(v []float64, x float64) bool {
	for _, e := range v {
		if e != x {
			return false
		}
	}
	return true
}

// parseSize reads "HxW" (or one number for a square).
func parseSize(s string) ([2]int, error) {
	var hw [2]int
	parts := strings.Split(strings.ToLower(strings.ReplaceAll(s, "×", "x")), "x")
	if len(parts) == 1 {
		parts = append(parts, parts[0])
	}
	if len(parts) != 2 {
		return hw, fmt.Errorf("Input size: %q is not height x width, e.g. 224x224", s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v <= 0 || v > 16384 {
			return hw, fmt.Errorf("Input size: %q is not height x width, e.g. 224x224", s)
		}
		hw[i] = v
	}
	return hw, nil
}

// parseFloats reads 1 or channels comma-separated numbers.
func parseFloats(field, s string, channels int) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", field, p)
		}
		out = append(out, v)
	}
	if len(out) != 1 && len(out) != channels {
		return nil, fmt.Errorf("%s: give 1 or %d comma-separated values, not %d", field, channels, len(out))
	}
	return out, nil
}

// Manifest is the demo's public/demo/manifest.json (written by
// scripts/train/train_models.py).
type Manifest struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Model       string    `json:"model"`
	Channels    string    `json:"channels"` // gray, rgb or bgr
	Mean        []float64 `json:"mean"`
	Std         []float64 `json:"std"`
	Input       struct {
		Shape  Dims   `json:"shape"`
		Layout string `json:"layout"`
	} `json:"input"`
	Classes []string `json:"classes"`
	Calib   []string `json:"calib"`
}

// ApplyManifest sets the preprocessing the demo model was trained with.
func (f *Form) ApplyManifest(m Manifest) error {
	if _, err := f.InferPreprocess([]ModelInput{{Name: "input", Shape: m.Input.Shape}}); err != nil {
		return fmt.Errorf("demo manifest: %w", err)
	}
	if l := strings.ToLower(m.Input.Layout); l == "nchw" || l == "nhwc" {
		f.Layout = l
	}
	switch strings.ToLower(m.Channels) {
	case OrderGray, OrderRGB, OrderBGR:
		f.ChannelOrder = strings.ToLower(m.Channels)
	}
	if len(m.Mean) > 0 {
		f.Mean = joinFloats(m.Mean)
	}
	if len(m.Std) > 0 {
		f.Std = joinFloats(m.Std)
	}
	if len(m.Calib) > 0 {
		f.CalibCount = strconv.Itoa(len(m.Calib))
	}
	return nil
}

func joinFloats(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(parts, ", ")
}

// Dims is a shape in JSON whose symbolic dims are strings ("N"); they
// read as -1.
type Dims []int64

// UnmarshalJSON reads numbers and strings.
func (d *Dims) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Dims, len(raw))
	for i, r := range raw {
		var v int64
		if err := json.Unmarshal(r, &v); err != nil {
			var s string
			if json.Unmarshal(r, &s) != nil {
				return fmt.Errorf("shape dim %d: %s is not a number or a name", i, r)
			}
			v = -1
		}
		out[i] = v
	}
	*d = out
	return nil
}
