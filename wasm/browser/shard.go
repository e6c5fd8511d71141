package main

import (
	"fixq/core/job"
	"fixq/core/prep"
)

// defaultBatch is prep.Batches' batch size when none is given (a test
// checks that they agree).
const defaultBatch = 16

// maxShards bounds the "shards" field of an evaluate message.
const maxShards = 64

// shardOf keeps the part of an evaluation data set that worker shard of
// shards evaluates: every shards-th batch, starting with batch shard, of
// the data set job.Evaluate would walk (opts.Limit applied first). The
// batches are the very ones a single worker builds (same images, same
// order, same size), so each image's logits, and so the hit counts, are
// bit for bit the single worker's. opts comes back with Limit cleared and
// BatchSize set. The part may be empty (more workers than batches).
func shardOf(d *prep.Dataset, opts job.EvaluateOptions, shard, shards int) (*prep.Dataset, job.EvaluateOptions, error) {
	if shards < 1 || shards > maxShards || shard < 0 || shard >= shards {
		return nil, opts, errorf(CodeBadRequest, "fixq worker: shard %d of %d is out of range (1 to %d shards)", shard, shards, maxShards)
	}
	if d.Tensor != nil {
		return nil, opts, errorf(CodeBadData, "evaluation needs labelled images (one sub-folder per class)")
	}
	part := *d
	part.Limit(opts.Limit)
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatch
	}
	entries := part.Entries
	part.Entries = nil
	for start := shard * size; start < len(entries); start += shards * size {
		part.Entries = append(part.Entries, entries[start:min(start+size, len(entries))]...)
	}
	opts.Limit, opts.BatchSize = 0, size
	return &part, opts, nil
}
