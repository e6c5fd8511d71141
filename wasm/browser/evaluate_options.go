package main

import (
	"bytes"
	"encoding/json"

	"fixq/core/job"
)

// parseEvaluateOptions decodes job.EvaluateOptions JSON, rejecting unknown
// fields (as job.ParseQuantizeOptions does for quantize).
func parseEvaluateOptions(b []byte) (job.EvaluateOptions, error) {
	var o job.EvaluateOptions
	if len(bytes.TrimSpace(b)) == 0 {
		return o, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return o, errorf(CodeBadOptions, "options: %v", err)
	}
	if o.Limit < 0 || o.BatchSize < 0 {
		return o, errorf(CodeBadOptions, "options: limit and batch_size must not be negative")
	}
	return o, withCode(CodeBadOptions, o.Preprocess.Validate())
}

func indentJSON(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return string(b) + "\n", err
}
