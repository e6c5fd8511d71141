// run.js MODEL.onnx NAME=FILE.npy...: run MODEL in onnxruntime-node
// (1 thread, no graph optimisation) on float32 .npy inputs (<f4, C order,
// format 1.0) and print the outputs as JSON: {"name": {"dims": [...],
// "data": [...]}}. A reference for fixq's tests.
const ort = require('onnxruntime-node');
const fs = require('fs');

function readNpyF32(path) {
  const b = fs.readFileSync(path);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY' || b[6] !== 1) throw new Error(path + ': not a version 1.0 .npy file');
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  if (!/'descr': '<f4'/.test(header) || /'fortran_order': True/.test(header)) throw new Error(path + ': want <f4 C-order data: ' + header);
  const dims = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const start = 10 + hlen;
  const data = new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + b.length));
  return new ort.Tensor('float32', data, dims);
}

async function main() {
  const [model, ...specs] = process.argv.slice(2);
  const feeds = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    feeds[s.slice(0, i)] = readNpyF32(s.slice(i + 1));
  }
  const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const res = await sess.run(feeds);
  const out = {};
  for (const name of sess.outputNames) out[name] = { dims: res[name].dims, data: Array.from(res[name].data, Number) };
  console.log(JSON.stringify(out));
}
main().catch((e) => { console.error(String(e.message || e)); process.exit(1); });
