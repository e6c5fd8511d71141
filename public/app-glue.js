// app-glue.js: the page glue between the Vugu UI (fixq-ui.wasm, Go on the
// page's main thread) and the core module (fixq.mjs, the quantizer in a Web
// Worker). It exposes one small object, globalThis.fixqApp, whose methods
// return promises the Go side awaits; files stay File/Blob objects here and
// only JSON text, byte arrays the UI asks for, and blob: URLs cross into Go.
// Nothing here leaves the machine: the only fetches are same-origin static
// files (the wasm and, on "Load demo", demo/).
import * as fixq from './fixq.mjs';

const IMAGE = /\.(png|jpe?g)$/i;
let job = null;          // AbortController of the running job
let lastModel = null;    // ArrayBuffer of the last quantized model
let urls = [];           // blob: URLs of the current downloads
let dropHandler = null;

// pathOf is a file's path below the folder the user chose (a folder input's
// webkitRelativePath, a dropped folder's entry path, or the demo's path).
const pathOf = (f) => f.fixqPath || f.webkitRelativePath || f.name;

// dataOf gives the module each file with its path as its name ({name,
// data} pairs where the File itself does not carry the path), so the core
// sorts calibration images, and labels evaluation images by their class
// folder, exactly as the CLI does for the same folder.
function dataOf(files) {
  return Array.from(files, (f) => (f.fixqPath && f.fixqPath !== (f.webkitRelativePath || f.name)
    ? { name: f.fixqPath, data: f } : f));
}

// coded turns anything thrown into an Error with a code the UI knows.
function coded(e) {
  const err = e instanceof Error ? e : new Error(String(e));
  if (!err.code) err.code = 'FAILED';
  if (/out of memory|allocation failed|Array buffer allocation/i.test(err.message)) err.code = 'OUT_OF_MEMORY';
  if (err.name === 'AbortError') err.code = 'ABORTED';
  return err;
}

function startJob() {
  if (job) job.abort();
  job = new AbortController();
  return job;
}

async function bytesOf(file) {
  return new Uint8Array(await file.arrayBuffer());
}

function setDownloads(parts) {
  for (const u of urls) URL.revokeObjectURL(u);
  urls = parts.map(([data, type]) => URL.createObjectURL(new Blob([data], { type })));
  return urls;
}

const progressOf = (onProgress) => (p, pct) => (p && typeof p === 'object'
  ? onProgress(String(p.stage), Number(p.percent) || 0) : onProgress(String(p), Number(pct) || 0));

const asText = (v) => typeof v === 'string' ? v
  : (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) ? new TextDecoder().decode(v)
  : JSON.stringify(v, null, 2) + '\n';

async function walkEntry(entry, out) {
  if (entry.isFile) {
    const f = await new Promise((ok, bad) => entry.file(ok, bad));
    f.fixqPath = entry.fullPath.replace(/^\//, '');
    out.push(f);
    return;
  }
  const reader = entry.createReader();
  for (;;) {
    const batch = await new Promise((ok, bad) => reader.readEntries(ok, bad));
    if (batch.length === 0) break;
    for (const e of batch) await walkEntry(e, out);
  }
}

function sortImages(files) {
  const imgs = Array.from(files).filter((f) => IMAGE.test(f.name));
  imgs.sort((a, b) => (pathOf(a) < pathOf(b) ? -1 : pathOf(a) > pathOf(b) ? 1 : 0));
  const tops = new Set(imgs.map((f) => pathOf(f).split('/')[0]));
  const folder = tops.size === 1 && pathOf(imgs[0]).includes('/') ? [...tops][0] : '';
  return { files: imgs, folder };
}

const app = {
  version: fixq.version || '',

  images(fileList) { return sortImages(fileList); },

  readBytes(file) { return bytesOf(file); },

  async inspect(model, optionsJSON) {
    const ctl = startJob();
    try {
      const r = await fixq.inspect(await bytesOf(model), JSON.parse(optionsJSON), { signal: ctl.signal });
      return asText(r && r.json !== undefined ? r.json : r);
    } catch (e) { throw coded(e); } finally { if (job === ctl) job = null; }
  },

  async quantize(model, calib, optionsJSON, onProgress) {
    const ctl = startJob();
    try {
      const t0 = performance.now();
      const r = await fixq.quantize(await bytesOf(model), dataOf(calib), JSON.parse(optionsJSON), {
        signal: ctl.signal,
        onProgress: progressOf(onProgress),
      });
      const ms = performance.now() - t0;
      app.lastQuantizeMs = ms; // read by the browser test for its timing figure
      lastModel = r.model;
      // The core's own JSON text, byte for byte what the CLI writes.
      const report = r.reportJSON ?? asText(r.report), quantInfo = r.quantInfoJSON ?? asText(r.quantInfo);
      const [modelURL, quantInfoURL, reportURL] = setDownloads([
        [r.model, 'application/octet-stream'], [quantInfo, 'application/json'], [report, 'application/json']]);
      return { report, quantInfo, warnings: r.warnings || [], modelURL, quantInfoURL, reportURL,
        modelBytes: r.model.byteLength, ms };
    } catch (e) { throw coded(e); } finally { if (job === ctl) job = null; }
  },

  // evaluate runs the float model and the last quantized one (on the DPU
  // emulator) on the
  // labelled images and returns {images, float_top1, quant_top1} as JSON.
  async evaluate(model, evalFiles, optionsJSON, onProgress) {
    const ctl = startJob();
    try {
      if (!lastModel) throw Object.assign(new Error('quantize first'), { code: 'BAD_REQUEST' });
      const o = JSON.parse(optionsJSON);
      const opts = { preprocess: o.preprocess };
      const data = dataOf(evalFiles);
      const progress = (what) => progressOf((stage, pct) => onProgress(`${what}: ${stage}`, pct));
      const t0 = performance.now();
      const f = await fixq.evaluate(await bytesOf(model), data, opts, { signal: ctl.signal, onProgress: progress('float model') });
      const t1 = performance.now();
      // The quantized model runs on the fixed-point DPU emulator.
      const qopts = { ...opts, dpu: true, target: o.target || undefined };
      const q = await fixq.evaluate(lastModel.slice(0), data, qopts, { signal: ctl.signal, onProgress: progress('quantized model (DPU emulator)') });
      const t2 = performance.now();
      return JSON.stringify({ images: f.n ?? f.images ?? 0, float_top1: f.top1, quant_top1: q.top1,
        float_ms: t1 - t0, quant_ms: t2 - t1, classes: f.classes ?? 0 });
    } catch (e) { throw coded(e); } finally { if (job === ctl) job = null; }
  },

  cancel() { if (job) job.abort(); },

  async loadDemo() {
    try {
      const get = async (p) => {
        const res = await fetch('demo/' + p);
        if (!res.ok) throw new Error(`demo/${p}: HTTP ${res.status}`);
        return res;
      };
      const manifest = await (await get('manifest.json')).text();
      const m = JSON.parse(manifest);
      const fileOf = async (p, type) => {
        const f = new File([await (await get(p)).blob()], p.split('/').pop(), { type });
        f.fixqPath = p;
        return f;
      };
      const model = await fileOf(m.model || 'model.onnx', 'application/octet-stream');
      const calib = await Promise.all((m.calib || []).map((p) => fileOf(p, 'image/png')));
      const evals = await Promise.all((m.eval || []).map((e) => fileOf(typeof e === 'string' ? e : e.file, 'image/png')));
      return { model, calib, eval: evals, manifest };
    } catch (e) { throw coded(e); }
  },

  onDrop(fn) { dropHandler = fn; },
};

document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('dragging'); });
document.addEventListener('drop', async (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  if (!dropHandler || !e.dataTransfer) return;
  const forEval = !!(e.target.closest && e.target.closest('[data-drop="eval"]'));
  const entries = Array.from(e.dataTransfer.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
  let files = [];
  if (entries.length) {
    for (const en of entries) await walkEntry(en, files);
  } else {
    files = Array.from(e.dataTransfer.files);
  }
  const model = files.find((f) => /\.onnx$/i.test(f.name));
  const { files: images, folder } = sortImages(files);
  dropHandler({ model, images, folder, forEval });
});

globalThis.fixqApp = app;

// Start the UI wasm (Go's wasm_exec.js is loaded by index.html).
const go = new Go();
const { instance } = await WebAssembly.instantiateStreaming(fetch('fixq-ui.wasm'), go.importObject);
document.getElementById('boot')?.remove();
go.run(instance);
