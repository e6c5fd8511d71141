// fixq.mjs: fixq's INT8 quantizer for ONNX CNNs as an ES module. The core
// (fixq-core.wasm, Go) runs in a Web Worker (fixq-worker.js), so the page
// never freezes; everything is computed locally, nothing leaves the page.
//
//   import * as fixq from "./fixq.mjs";
//   const r = await fixq.quantize(modelBytes, imageFiles, { calib_size: 100 },
//                                 { onProgress: (p) => console.log(p.stage, p.percent) });
//   // r.model: ArrayBuffer (the QDQ .onnx), r.quantInfo, r.report: objects
//
// The worker, the wasm and wasm_exec.js are found next to this file
// (import.meta.url) unless init() is given other URLs. Types: fixq.d.ts.
//
// Parallelism: Go's WebAssembly runs on one thread, so more cores need
// more workers. evaluate() splits the images over several workers (up to
// navigator.hardwareConcurrency, at most 4; option `workers`): each
// evaluates whole batches of the one-worker walk and the hit counts add
// up, so the result is exactly the one-worker (and CLI) result.
// Calibration stays in one worker: it is sequential by design (each
// batch is quantized with the fix positions chosen from the batches
// before it, as in vai_q_pytorch). If a helper worker cannot start (its
// script blocked, no memory for another wasm instance), evaluate() falls
// back to the main worker alone, and later calls use only that one.

/** fixq's version; the core must report the same one. */
export const version = "0.1.0";

/** An error from fixq: `code` says what kind (see fixq.d.ts), `message` is the core's. */
export class FixqError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = code === "ABORTED" ? "AbortError" : "FixqError";
    this.code = code;
  }
}

const here = (file) => new URL(file, import.meta.url).href;
let config = null; // {workerURL, wasmURL, wasmExecURL}
let core = null; // the running worker: {worker, ready, pending, startMs}
let helpers = []; // more workers for parallel evaluation, started on demand
let defaultWorkers = 0; // 0: from navigator.hardwareConcurrency
let helpersFailed = false; // a helper could not start: evaluate alone
let nextId = 1;

/** The most workers evaluate() uses unless told otherwise. */
const MAX_DEFAULT_WORKERS = 4;

/**
 * Starts the core (once) and resolves when it is ready. Every call starts it
 * lazily, so calling init is optional unless other URLs are wanted.
 */
export function init(options = {}) {
  const base = globalThis.document?.baseURI ?? location.href;
  const want = {
    workerURL: options.workerURL ? new URL(options.workerURL, base).href : here("./fixq-worker.js"),
    wasmURL: options.wasmURL ? new URL(options.wasmURL, base).href : here("./fixq-core.wasm"),
    wasmExecURL: options.wasmExecURL ? new URL(options.wasmExecURL, base).href : here("./wasm_exec.js"),
  };
  if (options.workers !== undefined) {
    try {
      defaultWorkers = workerCount(options.workers, "init: workers");
    } catch (err) {
      return Promise.reject(err);
    }
  }
  if (core && Object.keys(want).some((k) => (options[k] !== undefined) && want[k] !== config[k])) {
    return Promise.reject(new FixqError("BAD_REQUEST", "fixq: init: the core already runs with other URLs; call terminate() first"));
  }
  if (!core) {
    config = want;
    core = startWorker(config);
  }
  return core.ready;
}

/** Stops the workers; pending calls reject with code "TERMINATED". */
export function terminate() {
  const err = new FixqError("TERMINATED", "fixq: the core was terminated");
  for (const h of helpers) stopWorker(h, err);
  if (core) stopWorker(core, err);
  helpersFailed = false; // the next start tries helpers again
}

function workerCount(n, what) {
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new FixqError("BAD_OPTIONS", `fixq: ${what} must be an integer from 0 (automatic) to 64, not ${n}`);
  }
  return n;
}

// pool returns k started workers: the main one and k-1 helpers.
function pool(k) {
  init();
  while (helpers.length < k - 1) helpers.push(startWorker(config, `fixq-${helpers.length + 2}`));
  return [core, ...helpers.slice(0, k - 1)];
}

const alive = (c) => core === c || helpers.includes(c);

function startWorker(cfg, name = "fixq") {
  const c = { pending: new Map(), startMs: performance.now(), cancelling: new Set() };
  c.worker = newWorker(cfg.workerURL, name);
  c.ready = new Promise((resolve, reject) => {
    c.readyResolve = resolve;
    c.readyReject = reject;
  });
  c.ready.catch(() => {}); // a failed start is reported through the calls
  c.worker.onmessage = (e) => onMessage(c, e.data);
  c.worker.onerror = (e) => {
    e.preventDefault?.();
    const msg = e.message || (c.isReady ? "the worker failed" : `could not start the worker ${cfg.workerURL}`);
    const code = /out of memory|Memory\.grow|allocation failed/i.test(msg) ? "OUT_OF_MEMORY" : c.isReady ? "CRASHED" : "START_FAILED";
    stopWorker(c, new FixqError(code, `fixq: ${msg}`));
  };
  c.worker.postMessage({ type: "init", wasmURL: cfg.wasmURL, wasmExecURL: cfg.wasmExecURL });
  return c;
}

// A worker script from another origin (a CDN) cannot be started directly:
// a same-origin blob worker imports it instead.
function newWorker(url, name) {
  if (new URL(url).origin === location.origin) return new Worker(url, { name });
  const shim = URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(url)});`], { type: "text/javascript" }));
  try {
    return new Worker(shim, { name });
  } finally {
    URL.revokeObjectURL(shim);
  }
}

function stopWorker(c, err) {
  c.worker.terminate();
  if (core === c) core = null;
  helpers = helpers.filter((h) => h !== c);
  c.readyReject(err);
  for (const job of c.pending.values()) settle(job, () => job.reject(err));
  c.pending.clear();
}

function onMessage(c, msg) {
  switch (msg.type) {
    case "ready":
      if (msg.version !== version) {
        stopWorker(c, new FixqError("VERSION_MISMATCH", `fixq: fixq.mjs is ${version} but fixq-core.wasm is ${msg.version} (a stale cache?)`));
        return;
      }
      c.isReady = true;
      c.readyResolve({ version: msg.version, startMs: performance.now() - c.startMs });
      return;
    case "fatal":
      stopWorker(c, new FixqError(msg.code, msg.message));
      return;
  }
  if (msg.type !== "progress") c.cancelling.delete(msg.id);
  const job = c.pending.get(msg.id);
  if (!job) return; // a job that was aborted
  switch (msg.type) {
    case "progress":
      if (job.onProgress) {
        try {
          job.onProgress({ stage: msg.stage, percent: msg.percent });
        } catch (err) {
          setTimeout(() => { throw err; }); // the caller's bug, not the job's
        }
      }
      return;
    case "result":
      c.pending.delete(msg.id);
      settle(job, () => job.resolve(job.decode(msg)));
      return;
    case "error":
      c.pending.delete(msg.id);
      settle(job, () => job.reject(new FixqError(msg.code, msg.message)));
      return;
  }
}

function settle(job, f) {
  job.cleanup?.();
  try {
    f();
  } catch (err) {
    job.reject(err);
  }
}

function abortError(signal) {
  const reason = signal.reason;
  const why = reason instanceof Error && reason.name !== "AbortError" ? `: ${reason.message}` : "";
  return new FixqError("ABORTED", `fixq: the job was aborted${why}`, { cause: reason });
}

// call posts one job (to worker c, default the main one) and resolves
// with decode(result message).
function call(op, fields, transfer, decode, { onProgress, signal } = {}, c = null) {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (!c) {
    init();
    c = core;
  }
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const job = { resolve, reject, onProgress, decode };
    c.pending.set(id, job);
    if (signal) {
      const onAbort = () => {
        if (!c.pending.delete(id)) return;
        settle(job, () => reject(abortError(signal)));
        c.worker.postMessage({ id, op: "cancel" });
        // Go sees the cancel when the job yields. If it does not answer
        // soon and nothing else runs, restart the worker to free the CPU.
        c.cancelling.add(id);
        setTimeout(() => {
          if (c.cancelling.has(id) && c.pending.size === 0 && alive(c)) {
            stopWorker(c, new FixqError("ABORTED", "fixq: the job was aborted"));
          }
        }, 3000);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      job.cleanup = () => signal.removeEventListener("abort", onAbort);
    }
    c.worker.postMessage({ id, op, ...fields }, transfer);
  });
}

// ---- inputs ----

// bytesFor returns a fresh ArrayBuffer (transferred to the worker; the
// caller's buffer is left alone).
async function bytesFor(x, what) {
  if (x instanceof ArrayBuffer) return x.slice(0);
  if (ArrayBuffer.isView(x)) return x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength);
  if (typeof Blob !== "undefined" && x instanceof Blob) return x.arrayBuffer();
  throw new FixqError("BAD_REQUEST", `fixq: ${what} must be an ArrayBuffer, a typed array or a Blob`);
}

const isImageSource = (x) =>
  (typeof ImageBitmap !== "undefined" && x instanceof ImageBitmap) ||
  (typeof ImageData !== "undefined" && x instanceof ImageData) ||
  (typeof OffscreenCanvas !== "undefined" && x instanceof OffscreenCanvas) ||
  (typeof HTMLCanvasElement !== "undefined" && x instanceof HTMLCanvasElement) ||
  (typeof HTMLImageElement !== "undefined" && x instanceof HTMLImageElement);

// toPNG encodes an image source as PNG, so the core decodes the same bytes
// the CLI would get from the same PNG file.
async function toPNG(img) {
  const w = img.naturalWidth || img.width, h = img.naturalHeight || img.height;
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext("2d");
  if (img instanceof ImageData) ctx.putImageData(img, 0, 0);
  else ctx.drawImage(img, 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}

const extFor = (type) => ({ "image/jpeg": ".jpg", "image/png": ".png" })[type] || ".png";
const seq = (i) => String(i).padStart(5, "0");

// dataFor translates calibration or evaluation data (see fixq.d.ts) into
// the worker's form. Image files stay Blobs: the core reads each one when
// its batch is built.
async function dataFor(data, what) {
  if (data == null) throw new FixqError("BAD_DATA", `fixq: no ${what} data`);
  if (data instanceof Float32Array) {
    throw new FixqError("BAD_DATA", `fixq: a Float32Array needs its shape: pass {data, shape: [N, ...]}`);
  }
  if (data.data instanceof Float32Array) {
    const copy = data.data.slice(); // only the view, transferred
    return [{ kind: "tensor", data: copy, shape: Array.from(data.shape || []) }, [copy.buffer]];
  }
  if (data.npy !== undefined) {
    const b = await bytesFor(data.npy, `${what} .npy`);
    return [{ kind: "npy", data: b }, [b]];
  }
  if (typeof Blob !== "undefined" && data instanceof Blob && /\.npy$/i.test(data.name || "")) {
    const b = await data.arrayBuffer();
    return [{ kind: "npy", data: b }, [b]];
  }
  const items = (typeof Blob !== "undefined" && data instanceof Blob) || isImageSource(data) ? [data] : Array.from(data);
  const names = [], blobs = [];
  let i = 0;
  for (const item of items) {
    i++;
    let name, blob;
    if (typeof File !== "undefined" && item instanceof File) {
      name = item.webkitRelativePath || item.name;
      blob = item;
    } else if (typeof Blob !== "undefined" && item instanceof Blob) {
      name = `image-${seq(i)}${extFor(item.type)}`;
      blob = item;
    } else if (isImageSource(item)) {
      name = `image-${seq(i)}.png`;
      blob = await toPNG(item);
    } else if (item && typeof item.name === "string" && item.data !== undefined) {
      name = item.name;
      blob = item.data instanceof Blob ? item.data : new Blob([item.data]);
    } else {
      throw new FixqError("BAD_DATA", `fixq: ${what} item ${i} is not a File, Blob, image or {name, data}`);
    }
    names.push(name);
    blobs.push(blob);
  }
  return [{ kind: "files", names, blobs }, []];
}

// optionsJSON renames the camelCase spellings of option keys to the core's
// JSON names; a string is passed as it is (the CLI's options file).
function optionsJSON(options, renames) {
  if (options == null) return "";
  if (typeof options === "string") return options;
  const out = {};
  for (const [k, v] of Object.entries(options)) {
    const key = renames[k] || k;
    if (key in out) throw new FixqError("BAD_OPTIONS", `fixq: option ${key} is given twice (as ${k} too)`);
    out[key] = v;
  }
  return JSON.stringify(out);
}

const inspectNames = { inputShape: "input_shape", inputShapes: "input_shapes", clockMHz: "clock_mhz" };
const quantizeNames = {
  calibSize: "calib_size", batchSize: "batch_size", biasCorrection: "bias_correction",
  fastFinetune: "fast_finetune", inputShapes: "input_shapes", skipBadImages: "skip_bad_images",
  finetuneIterations: "finetune_iterations", finetuneLR: "finetune_lr", finetuneBatch: "finetune_batch",
};

const evaluateNames = { batchSize: "batch_size" };
const DEFAULT_BATCH = 16; // the core's evaluation batch when none is given

// ---- calls ----

/** Inspector report (which nodes the DPU runs, which fall back and why) and latency estimate. */
export async function inspect(model, options = {}, { signal } = {}) {
  const opts = optionsJSON(options, inspectNames);
  const b = await bytesFor(model, "model");
  return call("inspect", { model: b, options: opts }, [b], (m) => ({ ...JSON.parse(m.json), text: m.text, json: m.json }), { signal });
}

/** Post-training quantization: the QDQ model, quant info and report. */
export async function quantize(model, calibration, options = {}, { onProgress, signal } = {}) {
  const opts = optionsJSON(options, quantizeNames);
  const b = await bytesFor(model, "model");
  const [calib, transfer] = await dataFor(calibration, "calibration");
  const decode = (m) => ({
    model: m.model,
    quantInfo: JSON.parse(m.quantInfo),
    report: JSON.parse(m.report),
    warnings: m.warnings,
    quantInfoJSON: m.quantInfo,
    reportJSON: m.report,
  });
  return call("quantize", { model: b, calib, options: opts }, [b, ...transfer], decode, { onProgress, signal });
}

/**
 * Top-1 (and top-5) accuracy of a float or quantized (QDQ) model on a
 * labelled image set: Files whose paths name their class folder
 * ("cat/001.png", as a folder input's webkitRelativePath gives), or
 * {name, data} pairs.
 */
export async function evaluate(model, data, options = {}, { onProgress, signal } = {}) {
  let workers = 0, rest = options;
  if (options && typeof options === "object") ({ workers = 0, ...rest } = options);
  workers = workerCount(workers, "evaluate: workers") || defaultWorkers ||
    Math.min(globalThis.navigator?.hardwareConcurrency || 1, MAX_DEFAULT_WORKERS);
  const opts = optionsJSON(rest, evaluateNames);
  const b = await bytesFor(model, "model");
  const [d, transfer] = await dataFor(data, "evaluation");
  const parse = (m) => JSON.parse(m.json);
  // No more workers than batches (of the files given, non-images included).
  const batch = rest?.batch_size || rest?.batchSize || DEFAULT_BATCH;
  const images = d.kind === "files" ? Math.min(d.names.length, rest?.limit || Infinity) : 0;
  const k = helpersFailed ? 1 : Math.min(workers, Math.ceil(images / batch));
  const alone = () => call("evaluate", { model: b, data: d, options: opts }, [b, ...transfer], parse, { onProgress, signal });
  if (k <= 1) return alone();

  // k workers, each on every k-th batch; the first error (or the caller's
  // abort) cancels the others.
  const inner = new AbortController();
  const stop = () => inner.abort(signal.reason);
  if (signal?.aborted) throw abortError(signal);
  signal?.addEventListener("abort", stop, { once: true });
  const states = new Array(k).fill(null);
  const progressOf = (i) => onProgress && ((p) => {
    states[i] = p;
    // The stage of the worker furthest behind; the mean percent of "evaluate".
    const behind = states.find((s) => !s || s.stage !== "evaluate");
    const percent = states.reduce((a, s) => a + (s && s.stage === "evaluate" ? s.percent : 0), 0) / k;
    onProgress(behind ? { stage: behind.stage ?? p.stage, percent: behind.percent ?? 0 } : { stage: "evaluate", percent });
  });
  let helperDown = null; // why a helper could not start
  try {
    const parts = await Promise.all(pool(k).map((c, i) => {
      const mb = b.slice(0); // b stays for the fallback
      const job = call("evaluate", { model: mb, data: d, options: opts, shard: i, shards: k }, [mb], parse,
        { onProgress: progressOf(i), signal: inner.signal }, c);
      job.catch((err) => {
        if (i > 0 && (err?.code === "START_FAILED" || err?.code === "OUT_OF_MEMORY")) helperDown ??= err;
        inner.abort();
      });
      return job;
    }));
    return addUp(parts);
  } catch (err) {
    if (!helperDown || signal?.aborted) throw err;
    helpersFailed = true;
    console.warn(`fixq: evaluating with one worker: a helper worker failed (${helperDown.message})`);
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  return alone();
}

// addUp combines the workers' results (job.EvaluateResult each, n = 0
// for a worker without images) into the one a single worker gives: the
// same fields in the same order, the ratios from the summed hit counts.
function addUp(parts) {
  const done = parts.filter((r) => r.n > 0);
  if (done.length === 0) return parts[0];
  const first = done[0], sum = (k) => done.reduce((a, r) => a + (r[k] || 0), 0);
  const n = sum("n"), h1 = sum("top1_hits"), h5 = sum("top5_hits");
  const top5 = first.classes > 5 && h5 > 0;
  const out = { top1: h1 / n };
  if (top5) out.top5 = h5 / n;
  out.top1_hits = h1;
  if (top5) out.top5_hits = h5;
  out.n = n;
  out.classes = first.classes;
  if (first.backend) out.backend = first.backend;
  return out;
}
