// Package engine runs a graph.Model with the float reference kernels of
// package ops.
//
// A Session is built once per model (it checks every op is supported,
// resolves kernels, numbers the values and computes each one's last use)
// and then Run many times. Without AfterNode and KeepAll, Constant nodes
// are computed once, in NewSession (a graph output that is, or is a view
// of, such a constant is copied before it is returned). Intermediate float32 storage goes back to a pool as soon as its
// last consumer has run, so peak memory is the live set of activations, not
// their sum, and a steady-state Run allocates little. A Session is not safe
// for concurrent use; make one per goroutine.
//
// AfterNode lets the quantizer observe (calibration statistics) or rewrite
// (fake quantization, in place) every node's outputs as they are produced.
package engine
