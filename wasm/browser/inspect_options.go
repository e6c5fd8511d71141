package main

import (
	"bytes"
	"encoding/json"

	"fixq/core/graph"
	"fixq/core/job"
)

// inspectOptions is the JSON the page sends with "inspect": job.InspectOptions
// plus input_shape, a shorthand for a model with one input.
type inspectOptions struct {
	job.InspectOptions
	InputShape []int `json:"input_shape,omitempty"`
}

// parseInspectOptions decodes the options (unknown fields are errors) and
// resolves input_shape against the model's one input.
func parseInspectOptions(b []byte, m *graph.Model) (job.InspectOptions, error) {
	var o inspectOptions
	if len(bytes.TrimSpace(b)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return job.InspectOptions{}, errorf(CodeBadOptions, "options: %v", err)
		}
	}
	if o.InputShape != nil {
		if len(m.Graph.Inputs) != 1 {
			return job.InspectOptions{}, errorf(CodeBadOptions, "options: input_shape needs a model with one input; this one has %d (give input_shapes by name)", len(m.Graph.Inputs))
		}
		if o.InputShapes != nil {
			return job.InspectOptions{}, errorf(CodeBadOptions, "options: give input_shape or input_shapes, not both")
		}
		o.InputShapes = map[string][]int{m.Graph.Inputs[0].Name: o.InputShape}
	}
	for name, s := range o.InputShapes {
		for _, d := range s {
			if d < 0 || d > 1<<20 {
				return job.InspectOptions{}, errorf(CodeBadOptions, "options: input %q: dim %d is out of range", name, d)
			}
		}
	}
	if o.ClockMHz < 0 {
		return job.InspectOptions{}, errorf(CodeBadOptions, "options: clock_mhz %g is negative", o.ClockMHz)
	}
	return o.InspectOptions, nil
}
