// Command browser is fixq's core compiled to WebAssembly for a Web Worker
// (public/fixq-worker.js starts it; public/fixq.mjs is the page's way in).
//
// It translates and does nothing else: a message from the page becomes one
// call of the job API (job.Inspect, job.Quantize, job.Evaluate) and its
// result or error becomes a message back. Model bytes arrive as
// transferred ArrayBuffers; calibration images stay Blobs (File objects)
// in JavaScript and each one is read, through blob.arrayBuffer(), only
// when its batch is built, so a large data set never sits in memory at
// once. Results go back as transferred ArrayBuffers.
//
// The protocol (all messages are plain objects):
//
//	page -> worker  {id, op: "inspect",  model: ArrayBuffer, options: string (JSON)}
//	                {id, op: "quantize", model: ArrayBuffer, calib: Calib, options: string (JSON)}
//	                {id, op: "evaluate", model: ArrayBuffer, data: Calib, options: string (JSON), shard?: int, shards?: int}
//	                {id, op: "cancel"}            cancels job id
//	worker -> page  {type: "ready", version}     once, after Go has started
//	                {id, type: "progress", stage, percent}
//	                {id, type: "result", ...}    op-specific fields, buffers transferred
//	                {id, type: "error", code, message}
//
// where Calib is {kind: "files", names: [string], blobs: [Blob]},
// {kind: "tensor", data: Float32Array, shape: [int]} or
// {kind: "npy", data: ArrayBuffer}. Error codes are listed in codes.go.
//
// Parallel evaluation: fixq.mjs posts one evaluate job to each of k
// workers with shard i of shards k; each evaluates every k-th batch of the
// one-worker walk (shardOf) and returns its hit counts (top1_hits,
// top5_hits), which fixq.mjs adds up. Quantization runs in one worker:
// calibration is sequential (each batch is quantized with the fix
// positions chosen from the batches before it).
//
// Because Go's js/wasm port runs on the worker's one thread, a running job
// only sees a "cancel" message when it yields to the event loop: it does
// so while it waits for an image blob and when it reports progress (see
// yieldEvery). A stage that reports nothing for long delays the cancel;
// fixq.mjs rejects the call at once anyway and restarts the worker if the
// job has not stopped 3 s later.
package main
