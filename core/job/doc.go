// Package job is fixq's one job API: model + data + options in; quantized
// model, quant info and report out; progress through a callback; a context
// to cancel. The CLI, the browser worker and the Cloudflare Worker all call
// it and differ only in how bytes come in and go out, so for the same
// inputs and options their outputs are byte-identical (nothing here reads
// the clock, the environment or map iteration order into an output).
package job
