// Runs testdata/models/*.onnx with onnxruntime-node on testdata/fmnist_test64.npy and compares
// with PyTorch's logits (<name>.ref.npy): an independent check of the ONNX export.
//   NODE_PATH=~/.cache/fixq/node/node_modules node scripts/train/check_onnx_ort.js
const ort = require('onnxruntime-node');
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..', '..');

// npy reads a C-order little-endian float32 .npy (format 1.0).
function npy(p) {
  const b = fs.readFileSync(p);
  const hl = b.readUInt16LE(8);
  const h = b.slice(10, 10 + hl).toString();
  if (!h.includes("'<f4'") || !h.includes('False')) throw new Error(p + ': want C-order <f4, got ' + h);
  const shape = h.match(/\(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const raw = b.slice(10 + hl);
  return { shape, data: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) };
}

(async () => {
  const x = npy(path.join(root, 'testdata', 'fmnist_test64.npy'));
  let bad = 0;
  for (const name of ['cnn_fmnist', 'mbv2_fmnist']) {
    const s = await ort.InferenceSession.create(path.join(root, 'testdata', 'models', name + '.onnx'), { intraOpNumThreads: 1 });
    const y = (await s.run({ input: new ort.Tensor('float32', x.data, x.shape) })).logits.data;
    const ref = npy(path.join(root, 'testdata', 'models', name + '.ref.npy'));
    let m = 0;
    for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - ref.data[i]));
    const ok = y.length === ref.data.length && m < 1e-4;
    if (!ok) bad++;
    console.log(`${name}: max |onnxruntime - pytorch| = ${m.toExponential(2)} over ${y.length} logits ${ok ? 'ok' : 'FAIL'}`);
  }
  process.exit(bad ? 1 : 0);
})();
