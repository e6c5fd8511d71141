// Package conformance holds fixq's evidence that its float engine computes
// what ONNX says, checked against witnesses fixq did not write. It has no
// library code: everything lives in its tests.
//
//   - onnx_backend_test.go runs ONNX's own backend test suite (Debian's
//     libonnx-testdata: node, pytorch-converted, pytorch-operator and simple
//     cases, each a model.onnx with TensorProto inputs and expected outputs)
//     through core/onnx and core/engine, at ONNX's tolerance (float32:
//     |got-want| <= 1e-7 + 1e-3*|want|; integers and bools exact; NaN
//     matches NaN). The exact outcome of every case is asserted against
//     testdata/expected_cases.txt (cases that ran: pass or fail) and
//     testdata/excluded.txt (cases that cannot run, each with its reason:
//     an unsupported op, dtype or attribute). `go test ./core/conformance
//     -run Backend -update` rewrites both files from the current results.
//   - ort_models_test.go runs the real models fixq targets (PaddleOCR cls,
//     det, rec; openWakeWord melspectrogram, embedding and heads) in fixq
//     and in onnxruntime-node (scripts/ort/run.js) on the same inputs and
//     bounds max|fixq-ort| / max|ort| per output; models with control flow
//     (hey_jarvis, silero_vad) must be refused with *ops.UnsupportedError.
//   - bench_test.go has the single-thread latency benchmarks that
//     scripts/bench-float.sh sets against onnxruntime-node.
package conformance
