// load.js FILE...: load each ONNX file in onnxruntime-node and print one
// JSON line per file: {"file", "inputs", "outputs"} or {"file", "error"}.
// Used by core/onnx tests to check that models fixq writes load in ORT.
// Run with NODE_PATH pointing at the node_modules that holds onnxruntime-node.
const ort = require('onnxruntime-node');

async function main() {
  for (const file of process.argv.slice(2)) {
    try {
      const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
      console.log(JSON.stringify({ file, inputs: s.inputNames, outputs: s.outputNames }));
      await s.release();
    } catch (e) {
      console.log(JSON.stringify({ file, error: String(e.message || e).split('\n')[0] }));
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
