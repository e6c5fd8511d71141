//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"fixq/core/job"
)

// evaluate: {model, data, options} -> {json}: top-1/top-5 of a float or
// QDQ model on a labelled image set (one sub-folder per class).
func evaluate(ctx context.Context, msg js.Value, progress job.Progress) (map[string]any, error) {
	b, err := modelOf(msg)
	if err != nil {
		return nil, err
	}
	opts, err := parseEvaluateOptions([]byte(stringOf(msg.Get("options"))))
	if err != nil {
		return nil, err
	}
	data, err := datasetOf(msg.Get("data"), true)
	if err != nil {
		return nil, err
	}
	res, err := job.Evaluate(ctx, b, data, opts, limits, progress)
	if err != nil {
		return nil, err
	}
	j, err := indentJSON(res)
	if err != nil {
		return nil, err
	}
	return map[string]any{"json": j}, nil
}
