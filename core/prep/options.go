package prep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Options is the preprocessing shared by every command. The zero value
// means: resize to the model's input size, RGB, scale 1/255, no mean/std,
// NCHW.
type Options struct {
	// Size resizes to H x W (bilinear) before cropping; zero means the
	// model's input size (or the crop size, if set).
	Size [2]int `json:"size,omitempty"`
	// Crop takes a centred H x W window after resizing; zero means none.
	Crop [2]int `json:"crop,omitempty"`
	// Gray converts to one luminance channel (ITU-R 601, as PIL's "L").
	Gray bool `json:"gray,omitempty"`
	// BGR orders colour channels B, G, R (OpenCV/Caffe/Paddle models).
	BGR bool `json:"bgr,omitempty"`
	// Scale multiplies raw 0..255 pixel values; zero means 1/255.
	Scale float64 `json:"scale,omitempty"`
	// Mean and Std normalise each channel after scaling: (x-mean)/std. One
	// value applies to every channel.
	Mean []float64 `json:"mean,omitempty"`
	Std  []float64 `json:"std,omitempty"`
	// Layout is "nchw" (default) or "nhwc".
	Layout string `json:"layout,omitempty"`
}

// ParseOptionsJSON decodes an Options JSON object, rejecting unknown fields.
func ParseOptionsJSON(b []byte) (Options, error) {
	var o Options
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return o, fmt.Errorf("preprocessing options: %w", err)
	}
	return o, o.Validate()
}

// Validate checks ranges.
func (o Options) Validate() error {
	for _, v := range append(o.Size[:], o.Crop[:]...) {
		if v < 0 || v > 16384 {
			return fmt.Errorf("preprocessing: size %d is out of range 1..16384", v)
		}
	}
	if (o.Size[0] == 0) != (o.Size[1] == 0) || (o.Crop[0] == 0) != (o.Crop[1] == 0) {
		return fmt.Errorf("preprocessing: give both height and width")
	}
	if o.Crop[0] > 0 && o.Size[0] > 0 && (o.Crop[0] > o.Size[0] || o.Crop[1] > o.Size[1]) {
		return fmt.Errorf("preprocessing: crop %dx%d is larger than size %dx%d", o.Crop[0], o.Crop[1], o.Size[0], o.Size[1])
	}
	for _, s := range o.Std {
		if s == 0 {
			return fmt.Errorf("preprocessing: std must not be 0")
		}
	}
	if len(o.Mean) > 3 || len(o.Std) > 3 {
		return fmt.Errorf("preprocessing: mean and std take 1 or 3 values")
	}
	switch o.Layout {
	case "", "nchw", "nhwc":
	default:
		return fmt.Errorf("preprocessing: layout %q is not nchw or nhwc", o.Layout)
	}
	if o.Gray && o.BGR {
		return fmt.Errorf("preprocessing: gray and bgr exclude each other")
	}
	return nil
}

// ParseHW parses "H x W" written as "224x224" (or a single "224").
func ParseHW(s string) ([2]int, error) {
	parts := strings.Split(strings.ToLower(s), "x")
	if len(parts) == 1 {
		parts = append(parts, parts[0])
	}
	if len(parts) != 2 {
		return [2]int{}, fmt.Errorf("size %q: want HxW", s)
	}
	var hw [2]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v <= 0 {
			return [2]int{}, fmt.Errorf("size %q: want HxW with positive integers", s)
		}
		hw[i] = v
	}
	return hw, nil
}

// ParseFloats parses "0.5" or "0.485,0.456,0.406".
func ParseFloats(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.Contains(p, "/") { // allow 1/255
			ab := strings.SplitN(p, "/", 2)
			a, err1 := strconv.ParseFloat(ab[0], 64)
			b, err2 := strconv.ParseFloat(ab[1], 64)
			if err1 != nil || err2 != nil || b == 0 {
				return nil, fmt.Errorf("number %q is not valid", p)
			}
			out = append(out, a/b)
			continue
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, fmt.Errorf("number %q is not valid", p)
		}
		out = append(out, v)
	}
	return out, nil
}
