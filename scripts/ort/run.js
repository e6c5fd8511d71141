#!/usr/bin/env node
// Run an ONNX model with onnxruntime-node, the independent reference for
// fixq's float engine. Two calling forms (run with
// NODE_PATH=~/.cache/fixq/node/node_modules):
//
//   node scripts/ort/run.js MODEL.onnx OUT_DIR IN1.npy [IN2.npy ...]
//     Inputs in the model's input order (session.inputNames); output i
//     (session.outputNames order) is written to OUT_DIR/<i>.npy with its own
//     dtype. Used by core/conformance. OUT_DIR must not contain '='.
//
//   node scripts/ort/run.js MODEL.onnx NAME=FILE.npy [NAME=FILE.npy ...]
//     Inputs by name; prints the outputs as one JSON object
//     {"name": {"dims": [...], "data": [...]}} on stdout (numbers; int64
//     converted to Number). Used by cmd/fixq and core/quant tests.
//
// In both forms the session runs
// single-threaded (intraOpNumThreads 1, interOpNumThreads 1) with
// graphOptimizationLevel 'disabled', so onnxruntime computes the graph as
// written (no Conv+BN folding or other fusions that change rounding): we
// compare against the model's own arithmetic, not an optimised rewrite.
// Set ORT_OPT=all to use 'all' instead.
//
// The npy helpers (readNpy, writeNpy) support float32, float64 (read only,
// converted to float32), int8, uint8, int32, int64 and bool, C order,
// little endian, .npy format 1.0/2.0; they are exported for other scripts.
'use strict';

const fs = require('fs');
const path = require('path');

const DESCR = {
  '<f4': 'float32', '<f8': 'float64', '|i1': 'int8', '|u1': 'uint8',
  '<i4': 'int32', '<i8': 'int64', '|b1': 'bool',
};
const DESCR_OF = {
  float32: '<f4', int8: '|i1', uint8: '|u1', int32: '<i4', int64: '<i8', bool: '|b1',
};

// readNpy parses a .npy file into {type, dims, data} (data is a typed array
// that matches an onnxruntime Tensor type).
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new Error(`${file}: not a .npy file`);
  }
  const major = buf[6];
  let hlen, off;
  if (major === 1) {
    hlen = buf.readUInt16LE(8); off = 10;
  } else if (major === 2 || major === 3) {
    hlen = buf.readUInt32LE(8); off = 12;
  } else {
    throw new Error(`${file}: .npy version ${major} not supported`);
  }
  const header = buf.toString('latin1', off, off + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`${file}: bad .npy header ${header}`);
  if (fortran[1] === 'True') throw new Error(`${file}: fortran_order arrays not supported`);
  const type = DESCR[descr[1]];
  if (!type) throw new Error(`${file}: dtype ${descr[1]} not supported`);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s !== '').map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const body = buf.subarray(off + hlen);
  // Copy into an aligned ArrayBuffer before viewing it as a typed array.
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.length);
  let data;
  switch (type) {
    case 'float32': data = new Float32Array(ab, 0, n); break;
    case 'float64': return { type: 'float32', dims, data: Float32Array.from(new Float64Array(ab, 0, n)) };
    case 'int8': data = new Int8Array(ab, 0, n); break;
    case 'uint8': data = new Uint8Array(ab, 0, n); break;
    case 'int32': data = new Int32Array(ab, 0, n); break;
    case 'int64': data = new BigInt64Array(ab, 0, n); break;
    case 'bool': data = new Uint8Array(ab, 0, n); break;
  }
  return { type, dims, data };
}

// writeNpy writes a typed array with dims as .npy 1.0 (header padded so
// the data starts at a multiple of 64 bytes, as numpy does).
function writeNpy(file, type, dims, data) {
  const descr = DESCR_OF[type];
  if (!descr) throw new Error(`writeNpy: type ${type} not supported`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  let bytes;
  if (type === 'bool') {
    bytes = Buffer.from(Uint8Array.from(data, v => (v ? 1 : 0)));
  } else {
    bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]));
}

async function main(argv) {
  if (argv.length < 1) {
    process.stderr.write('usage: node scripts/ort/run.js MODEL.onnx OUT_DIR IN1.npy [IN2.npy ...]\n' +
      '       node scripts/ort/run.js MODEL.onnx NAME=FILE.npy [NAME=FILE.npy ...]\n');
    return 2;
  }
  const ort = require('onnxruntime-node');
  const opt = process.env.ORT_OPT === 'all' ? 'all' : 'disabled';
  const session = await ort.InferenceSession.create(argv[0], {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opt,
  });
  if (argv.length === 1 || argv[1].includes('=')) {
    return runJSON(ort, session, argv.slice(1));
  }
  const [model, outDir, ...ins] = argv;
  if (ins.length !== session.inputNames.length) {
    process.stderr.write(`run.js: model ${model} has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}), got ${ins.length} files\n`);
    return 2;
  }
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const a = readNpy(ins[i]);
    feeds[name] = new ort.Tensor(a.type, a.data, a.dims);
  });
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    writeNpy(path.join(outDir, `${i}.npy`), t.type, t.dims, t.data);
  });
  return 0;
}

// runJSON is the NAME=FILE.npy form: outputs go to stdout as JSON.
async function runJSON(ort, session, specs) {
  const feeds = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    if (i < 0) throw new Error(`argument ${s}: want NAME=FILE.npy`);
    const a = readNpy(s.slice(i + 1));
    feeds[s.slice(0, i)] = new ort.Tensor(a.type, a.data, a.dims);
  }
  const res = await session.run(feeds);
  const out = {};
  for (const name of session.outputNames) {
    out[name] = { dims: res[name].dims, data: Array.from(res[name].data, Number) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

module.exports = { readNpy, writeNpy };

if (require.main === module) {
  main(process.argv.slice(2)).then(code => { process.exitCode = code; }, err => {
    process.stderr.write(`run.js: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
}
