//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"fixq/core/job"
)

// evaluate: {model, data, options, shard?, shards?} -> {json}: top-1/top-5
// of a float or QDQ model on a labelled image set (one sub-folder per
// class). With shards > 1 this worker evaluates only its part of the set
// (see shardOf; fixq.mjs adds up the parts' hit counts); an empty part
// gives n = 0.
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
	if s := msg.Get("shards"); s.Type() == js.TypeNumber {
		shard := msg.Get("shard")
		if shard.Type() != js.TypeNumber {
			return nil, errorf(CodeBadRequest, "fixq worker: shards without shard")
		}
		if data, opts, err = shardOf(data, opts, shard.Int(), s.Int()); err != nil {
			return nil, err
		}
		if data.Len() == 0 {
			j, err := indentJSON(&job.EvaluateResult{Classes: len(data.Classes)})
			return map[string]any{"json": j}, err
		}
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
