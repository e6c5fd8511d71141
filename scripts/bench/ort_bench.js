#!/usr/bin/env node
// Single-inference latency of a model in onnxruntime-node, one thread.
//
//   NODE_PATH=~/.cache/fixq/node/node_modules \
//     node scripts/bench/ort_bench.js MODEL.onnx 1,3,48,192 [RUNS [WARMUP]]
//
// Feeds one float32 input of the given shape (uniform in [-1,1), fixed
// seed), warms up, then times RUNS runs and prints "median_ms=X min_ms=Y
// runs=N opt=LEVEL". intraOpNumThreads 1, interOpNumThreads 1, sequential
// execution; graphOptimizationLevel 'all' (onnxruntime's production
// setting, with its fusions) unless ORT_OPT=disabled.
'use strict';

async function main() {
  const [model, shapeArg, runsArg, warmArg] = process.argv.slice(2);
  if (!model || !shapeArg) {
    process.stderr.write('usage: node scripts/bench/ort_bench.js MODEL.onnx DIMS [RUNS [WARMUP]]\n');
    return 2;
  }
  const ort = require('onnxruntime-node');
  const dims = shapeArg.split(',').map(Number);
  const runs = Number(runsArg || 20);
  const warm = Number(warmArg || 3);
  const opt = process.env.ORT_OPT === 'disabled' ? 'disabled' : 'all';
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: opt,
  });
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { // xorshift32: deterministic, no Math.random
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    data[i] = (s / 4294967296) * 2 - 1;
  }
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
  for (let i = 0; i < warm; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`median_ms=${median.toFixed(3)} min_ms=${times[0].toFixed(3)} runs=${runs} opt=${opt}`);
  return 0;
}

main().then(c => { process.exitCode = c; }, e => { process.stderr.write(`ort_bench.js: ${e.stack || e}\n`); process.exitCode = 1; });
