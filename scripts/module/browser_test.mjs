// The browser test of the ES module (run by scripts/module/test.sh, which
// packs and installs the module, prepares the data and the CLI's results):
// headless Chromium opens a blank page at a path prefix that imports the
// installed package, and the module's answers are checked against the
// native CLI's bytes. Usage: node browser_test.mjs CONFIG.json RESULT.json
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";
import { threadCPU, cpuDiff } from "./proccpu.mjs";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const resultPath = process.argv[3];
const ci = process.env.CI === "true";

let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch (err) {
  if (ci) throw new Error(`playwright-core is missing (NODE_PATH=${process.env.NODE_PATH}): ${err.message}`);
  console.log(`test-module: SKIP: playwright-core is missing (run scripts/setup.sh)`);
  process.exit(0);
}

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const context = await chromium.launchPersistentContext(cfg.userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const requests = [];
context.on("request", (r) => requests.push(r.url()));
const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") pageErrors.push(`console: ${m.text()}`); });
page.setDefaultTimeout(600_000);

const result = { cases: {} };
try {
  await page.goto(cfg.pageURL);
  await page.waitForFunction(() => window.fixqTest || window.fixqTestError, null, { timeout: 120_000 });
  const start = await page.evaluate(() => window.fixqTestError || {
    importToReadyMs: window.fixqTest.importToReadyMs, startMs: window.fixqTest.startMs,
    coreVersion: window.fixqTest.coreVersion, version: window.fixqTest.fixq.version,
  });
  result.start = start;
  check(start.coreVersion === cfg.version && start.version === cfg.version,
    `module ${start.version} and core ${start.coreVersion} are version ${cfg.version} (${start.error || ""})`);
  console.log(`     import -> ready: ${start.importToReadyMs?.toFixed(0)} ms`);

  // Helpers defined in the page: fetch test files as Files, hash bytes.
  await page.evaluate(initHelpers);
  function initHelpers() {
    window.T = {
      async files(base, names) {
        return Promise.all(names.map(async (n) => {
          const r = await fetch(base + n);
          if (!r.ok) throw new Error(`${base + n}: ${r.status}`);
          return new File([await r.blob()], n.split("/").pop(), { type: r.headers.get("content-type") || "" });
        }));
      },
      // Files whose webkitRelativePath-like name is the path (for ImageFolder labels).
      async named(base, names) {
        return Promise.all(names.map(async (n) => ({ name: n, data: await (await fetch(base + n)).blob() })));
      },
      async bytes(url) {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`${url}: ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      },
      async sha256(x) {
        const b = typeof x === "string" ? new TextEncoder().encode(x) : x;
        return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", b)), (v) => v.toString(16).padStart(2, "0")).join("");
      },
      // A .npy v1/v2 float32 C-order array as {data, shape} (test code, not the module's).
      npy(u8) {
        const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
        const major = u8[6];
        const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
        const off = (major === 1 ? 10 : 12) + hlen;
        const header = new TextDecoder().decode(u8.subarray(major === 1 ? 10 : 12, off));
        if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header)) throw new Error("want <f4 C-order: " + header);
        const shape = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
        return { data: new Float32Array(u8.slice(off).buffer), shape };
      },
      async error(p) {
        try {
          await p;
          return { resolved: true };
        } catch (e) {
          return { name: e.name, code: e.code, message: e.message, isError: e instanceof Error };
        }
      },
    };
  }

  // 1. Errors: a broken ONNX file, a broken image, a bad option.
  const errs = await page.evaluate(async (c) => {
    const { fixq } = window.fixqTest;
    const model = await T.bytes(c.dataURL + c.images.model);
    const good = await T.files(c.dataURL + c.images.calibDir, c.images.calib.slice(0, 2));
    const broken = new TextEncoder().encode("this is not an ONNX model\n");
    const truncated = model.slice(0, Math.floor(model.length / 2));
    const bad = [...good, new File([new TextEncoder().encode("not a png")], "bad.png", { type: "image/png" })];
    return {
      quantizeBroken: await T.error(fixq.quantize(broken, good, c.images.options)),
      quantizeTruncated: await T.error(fixq.quantize(truncated, good, c.images.options)),
      inspectBroken: await T.error(fixq.inspect(broken)),
      badImage: await T.error(fixq.quantize(model, bad, { ...c.images.options, calib_size: 3 })),
      badOption: await T.error(fixq.quantize(model, good, { calib_sise: 3 })),
      noData: await T.error(fixq.quantize(model, [], c.images.options)),
    };
  }, cfg);
  result.errors = errs;
  for (const [k, e] of Object.entries({ quantizeBroken: errs.quantizeBroken, quantizeTruncated: errs.quantizeTruncated, inspectBroken: errs.inspectBroken })) {
    check(e.isError && e.code === "BAD_MODEL" && /onnx/i.test(e.message), `${k}: rejects with an Error, code BAD_MODEL, message naming ONNX: ${JSON.stringify(e)}`);
  }
  check(errs.badImage.isError && errs.badImage.code === "BAD_DATA" && errs.badImage.message.includes("bad.png"), `a broken image rejects with BAD_DATA naming bad.png: ${JSON.stringify(errs.badImage)}`);
  check(errs.badOption.isError && errs.badOption.code === "BAD_OPTIONS" && errs.badOption.message.includes("calib_sise"), `an unknown option rejects with BAD_OPTIONS naming it: ${JSON.stringify(errs.badOption)}`);
  check(errs.noData.isError && errs.noData.code === "BAD_DATA", `no images rejects with BAD_DATA: ${JSON.stringify(errs.noData)}`);

  // 2. Abort: a signal aborted before the call, and one aborted at the first progress event.
  const ab = await page.evaluate(async (c) => {
    const { fixq } = window.fixqTest;
    const model = await T.bytes(c.dataURL + c.images.model);
    const files = await T.files(c.dataURL + c.images.calibDir, c.images.calib);
    const pre = new AbortController();
    pre.abort();
    const preErr = await T.error(fixq.quantize(model, files, c.images.options, { signal: pre.signal }));
    const ac = new AbortController();
    let abortedAt = 0, events = 0;
    const p = fixq.quantize(model, files, c.images.options, {
      signal: ac.signal,
      onProgress: () => { events++; if (!abortedAt) { abortedAt = performance.now(); ac.abort(); } },
    });
    const err = await T.error(p);
    const rejectMs = performance.now() - abortedAt;
    return { preErr, err, events, rejectMs };
  }, cfg);
  result.abort = ab;
  check(ab.preErr.isError && ab.preErr.code === "ABORTED" && ab.preErr.name === "AbortError", `an already aborted signal rejects with AbortError/ABORTED: ${JSON.stringify(ab.preErr)}`);
  check(ab.events >= 1 && ab.err.isError && ab.err.code === "ABORTED" && ab.err.name === "AbortError", `aborting during quantize rejects with AbortError/ABORTED after ${ab.events} progress event(s), in ${ab.rejectMs.toFixed(1)} ms: ${JSON.stringify(ab.err)}`);

  // The worker protocol itself: a job posted before Go is ready is queued,
  // and a cancel message reaches the running Go job through its context
  // (here a Float32Array job: no blob reads, so only the progress yields
  // let the cancel in).
  const wp = await page.evaluate(async (c) => {
    const url = (f) => new URL(`./node_modules/fixq/${f}`, location.href).href;
    const w = new Worker(url("fixq-worker.js"));
    const model = (await T.bytes(c.dataURL + c.tensor.model)).buffer;
    const calib = T.npy(await T.bytes(c.dataURL + c.tensor.npy));
    const seen = [];
    let cancelledAt = 0;
    const done = new Promise((resolve) => {
      w.onmessage = (e) => {
        const m = e.data;
        seen.push(m.type);
        if (m.type === "progress" && !cancelledAt) { cancelledAt = performance.now(); w.postMessage({ id: 7, op: "cancel" }); }
        if (m.type === "result" || m.type === "error" || m.type === "fatal") resolve(m);
      };
    });
    w.postMessage({ type: "init", wasmURL: url("fixq-core.wasm"), wasmExecURL: url("wasm_exec.js") });
    w.postMessage({ id: 7, op: "quantize", model, calib: { kind: "tensor", data: calib.data, shape: calib.shape }, options: JSON.stringify(c.tensor.options) }, [model]);
    const m = await done;
    const ms = performance.now() - cancelledAt;
    w.terminate();
    return { first: seen[0], last: m, cancelMs: ms };
  }, cfg);
  result.workerCancel = wp;
  check(wp.first === "ready" && wp.last.type === "error" && wp.last.code === "ABORTED" && wp.last.id === 7,
    `worker: a job posted before ready runs; a cancel message stops it in ${wp.cancelMs.toFixed(0)} ms with ABORTED: ${JSON.stringify(wp.last)}`);

  // 3. Quantize images (after the abort: the core must still work) and compare with the CLI.
  const q = await page.evaluate(async (c) => {
    const { fixq } = window.fixqTest;
    const model = await T.bytes(c.dataURL + c.images.model);
    const files = await T.files(c.dataURL + c.images.calibDir, c.images.calib);
    files.reverse(); // the core orders images by name, as the CLI does
    const progress = [];
    const t0 = performance.now();
    const r = await fixq.quantize(model, files, c.images.options, { onProgress: (p) => progress.push(p) });
    const ms = performance.now() - t0;
    const modelHash = await T.sha256(new Uint8Array(r.model));
    return {
      ms, modelHash, modelBytes: r.model.byteLength, infoHash: await T.sha256(r.quantInfoJSON), reportHash: await T.sha256(r.reportJSON),
      progress, warnings: r.warnings, reportIsObject: typeof r.report === "object", infoIsObject: typeof r.quantInfo === "object",
      modelIntact: model.byteLength > 0,
      // Kept for a diff when a check fails.
      reportJSON: r.reportJSON, quantInfoJSON: r.quantInfoJSON,
      modelB64: btoa(Array.from(new Uint8Array(r.model), (b) => String.fromCharCode(b)).join("")),
    };
  }, cfg);
  if (q.modelHash !== cfg.images.native.model || q.infoHash !== cfg.images.native.quantInfo || q.reportHash !== cfg.images.native.report) {
    const dir = dirname(resultPath);
    writeFileSync(`${dir}/browser-images.onnx`, Buffer.from(q.modelB64, "base64"));
    writeFileSync(`${dir}/browser-images.quant_info.json`, q.quantInfoJSON);
    writeFileSync(`${dir}/browser-images.report.json`, q.reportJSON);
    console.log(`     the browser's images outputs are in ${dir}/browser-images.*; the CLI's in ${dir}/native-images.*`);
  }
  result.cases.images = { ms: q.ms, nativeMs: cfg.images.nativeMs, modelBytes: q.modelBytes, progressEvents: q.progress.length };
  const why = (k, h) => h === cfg.images.native[k] ? "" : h === cfg.images.purego[k]
    ? " (but identical to the -tags purego CLI: the core's SIMD float path rounds differently from its pure-Go path)"
    : " (and differs from the -tags purego CLI too)";
  check(q.modelHash === cfg.images.native.model, `images: quantized model (${q.modelBytes} bytes) is byte-identical to fixq quantize's${why("model", q.modelHash)}`);
  check(q.infoHash === cfg.images.native.quantInfo, `images: quant info JSON is byte-identical to the CLI's${why("quantInfo", q.infoHash)}`);
  check(q.reportHash === cfg.images.native.report, `images: report JSON is byte-identical to the CLI's${why("report", q.reportHash)}`);
  check(q.reportIsObject && q.infoIsObject && q.modelIntact, `images: report and quantInfo are objects; the caller's model bytes were not detached`);
  const stages = [...new Set(q.progress.map((p) => p.stage))];
  check(q.progress.length >= 3 && q.progress.every((p) => p.percent >= 0 && p.percent <= 100) && stages.includes("calibrate") && q.progress.at(-1).stage === "done",
    `images: ${q.progress.length} progress events, stages ${stages.join(",")}`);
  console.log(`     images: browser ${q.ms.toFixed(0)} ms, native ${cfg.images.nativeMs} ms`);

  // 4. Quantize a Float32Array with its shape and compare with the CLI on the same .npy.
  const t = await page.evaluate(async (c) => {
    const { fixq } = window.fixqTest;
    const model = await T.bytes(c.dataURL + c.tensor.model);
    const calib = T.npy(await T.bytes(c.dataURL + c.tensor.npy));
    const t0 = performance.now();
    const r = await fixq.quantize(model, calib, c.tensor.options);
    return { ms: performance.now() - t0, modelHash: await T.sha256(new Uint8Array(r.model)), infoHash: await T.sha256(r.quantInfoJSON), reportHash: await T.sha256(r.reportJSON), shape: calib.shape, dataIntact: calib.data.length > 0 };
  }, cfg);
  result.cases.tensor = { ms: t.ms, nativeMs: cfg.tensor.nativeMs, shape: t.shape };
  check(t.modelHash === cfg.tensor.native.model && t.infoHash === cfg.tensor.native.quantInfo && t.reportHash === cfg.tensor.native.report,
    `tensor ${JSON.stringify(t.shape)}: model, quant info and report are byte-identical to fixq quantize --calib X.npy`);
  check(t.dataIntact, `tensor: the caller's Float32Array was not detached`);

  // 5. Inspect and evaluate against the CLI's JSON.
  const ie = await page.evaluate(async (c) => {
    const { fixq } = window.fixqTest;
    const model = await T.bytes(c.dataURL + c.tensor.model);
    const quantized = await T.bytes(c.dataURL + c.evaluate.quantized);
    const data = await T.named(c.dataURL + c.evaluate.dir, c.evaluate.files);
    const ins = await fixq.inspect(model, { target: c.inspect.target });
    const events = [];
    const ev = await fixq.evaluate(model, data, c.evaluate.options, { onProgress: (p) => events.push(p) });
    const evq = await fixq.evaluate(quantized, data, c.evaluate.options);
    const { text, json, ...insJSON } = ins;
    return { inspect: insJSON, inspectHash: await T.sha256(json), textLines: text.split("\n").length, evaluate: ev, evaluateQuantized: evq, events: events.length };
  }, cfg);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  check(same(ie.inspect, cfg.inspect.native) && ie.inspectHash === cfg.inspect.nativeHash && ie.textLines > 3,
    `inspect: the same JSON (object and bytes) as fixq inspect --json (${cfg.inspect.target}), and a text form`);
  check(same(ie.evaluate, cfg.evaluate.nativeFloat), `evaluate (float): ${JSON.stringify(ie.evaluate)} equals fixq eval --json ${JSON.stringify(cfg.evaluate.nativeFloat)}`);
  check(same(ie.evaluateQuantized, cfg.evaluate.nativeQuantized), `evaluate (QDQ): ${JSON.stringify(ie.evaluateQuantized)} equals fixq eval --json ${JSON.stringify(cfg.evaluate.nativeQuantized)}`);
  check(ie.events >= 1, `evaluate: ${ie.events} progress events`);
  result.cases.evaluate = { float: ie.evaluate, quantized: ie.evaluateQuantized };

  // 5b. Parallel evaluation: the images split over 1, 2 and 3 workers give
  // the CLI's result (float, and the quantized model on the DPU emulator);
  // then 1 vs 2 workers timed, alternating, medians of cfg.parallel.runs.
  const par = await page.evaluate(async (c) => {
    const { fixq } = window.fixqTest;
    const p = c.parallel;
    const model = await T.bytes(c.dataURL + p.model);
    const quantized = await T.bytes(c.dataURL + p.quantized);
    const data = await T.named(c.dataURL + p.dir, p.files);
    const run = async (w, dpu, onProgress) => {
      const t0 = performance.now();
      const r = await fixq.evaluate(dpu ? quantized : model, data, { ...p.options, dpu: dpu || undefined, workers: w }, { onProgress });
      return { r, ms: performance.now() - t0 };
    };
    window.P = { run }; // for the timed runs below
    const results = {}, firstMs = {};
    const events = [];
    for (const w of [1, 2, 3]) {
      const f = await run(w, false, w === 2 ? (e) => events.push(e) : undefined);
      const q = await run(w, true);
      results[w] = { float: f.r, dpu: q.r };
      firstMs[w] = { float: f.ms, dpu: q.ms };
    }
    // A bad option and an abort with several workers.
    const badWorkers = await T.error(fixq.evaluate(model, data, { ...p.options, workers: 1.5 }));
    const ac = new AbortController();
    let aborted = false;
    const abortErr = await T.error(fixq.evaluate(quantized, data, { ...p.options, dpu: true, workers: 2 }, {
      signal: ac.signal, onProgress: () => { if (!aborted) { aborted = true; ac.abort(); } },
    }));
    return { results, firstMs, events, badWorkers, abortErr, cores: navigator.hardwareConcurrency };
  }, cfg);
  // Timed runs, 1 and 2 workers alternating: wall time, and the CPU time
  // of the browser in all and of its busiest worker thread (from /proc).
  par.times = { 1: { float: [], dpu: [] }, 2: { float: [], dpu: [] } };
  par.cpu = { 1: { float: [], dpu: [] }, 2: { float: [], dpu: [] } };
  par.workerCpu = { 1: { float: [], dpu: [] }, 2: { float: [], dpu: [] } };
  for (let i = 0; i < cfg.parallel.runs; i++) {
    for (const w of i % 2 ? [2, 1] : [1, 2]) {
      for (const k of ["float", "dpu"]) {
        const th0 = threadCPU();
        const { ms, r } = await page.evaluate(([w, dpu]) => P.run(w, dpu), [w, k === "dpu"]);
        const d = cpuDiff(th0, threadCPU());
        if (!same(r, k === "dpu" ? cfg.parallel.nativeDPU : cfg.parallel.nativeFloat)) failures.push(`timed run: ${w} worker(s), ${k}: ${JSON.stringify(r)} differs from the CLI`);
        par.times[w][k].push(ms);
        par.cpu[w][k].push(d.total);
        par.workerCpu[w][k].push(d.maxWorker);
      }
    }
  }
  for (const w of ["1", "2", "3"]) {
    check(same(par.results[w].float, cfg.parallel.nativeFloat), `evaluate ${cfg.parallel.files.length} images with ${w} worker(s), float: ${JSON.stringify(par.results[w].float)} equals fixq eval --json`);
    check(same(par.results[w].dpu, cfg.parallel.nativeDPU), `evaluate with ${w} worker(s), DPU emulator: ${JSON.stringify(par.results[w].dpu)} equals fixq eval --dpu --json`);
  }
  const pe = par.events;
  check(pe.length >= 2 && pe.every((e) => e.percent >= 0 && e.percent <= 100) && pe.at(-1).stage === "evaluate" && pe.at(-1).percent === 100,
    `evaluate with 2 workers: ${pe.length} progress events, ending at evaluate 100%`);
  check(par.badWorkers.code === "BAD_OPTIONS", `workers: 1.5 rejects BAD_OPTIONS: ${JSON.stringify(par.badWorkers)}`);
  check(par.abortErr.code === "ABORTED" && par.abortErr.name === "AbortError", `aborting a 2-worker evaluate rejects ABORTED: ${JSON.stringify(par.abortErr)}`);
  const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  const bench = { images: cfg.parallel.files.length, runs: cfg.parallel.runs, hardwareConcurrency: par.cores, times: par.times,
    cpuMs: par.cpu, busiestWorkerCpuMs: par.workerCpu, firstMs: par.firstMs,
    nativeMs: { float: cfg.parallel.nativeFloatMs, dpu: cfg.parallel.nativeDPUMs }, loadavg: readFileSync("/proc/loadavg", "utf8").trim() };
  for (const k of ["float", "dpu"]) {
    const m = (x) => median(x[1][k]) / median(x[2][k]);
    bench[k] = { median1: median(par.times[1][k]), median2: median(par.times[2][k]), speedup: m(par.times),
      cpu1: median(par.cpu[1][k]), cpu2: median(par.cpu[2][k]), busiest1: median(par.workerCpu[1][k]), busiest2: median(par.workerCpu[2][k]) };
    bench[k].busiestRatio = bench[k].busiest1 / bench[k].busiest2;
    const b = bench[k];
    console.log(`     evaluate ${bench.images} images (${k === "dpu" ? "quantized, DPU emulator" : "float"}), medians of ${bench.runs}: ` +
      `1 worker ${b.median1.toFixed(0)} ms, 2 workers ${b.median2.toFixed(0)} ms wall: speedup ${b.speedup.toFixed(2)}x; ` +
      `CPU ${b.cpu1.toFixed(0)} -> ${b.cpu2.toFixed(0)} ms in all, busiest worker ${b.busiest1.toFixed(0)} -> ${b.busiest2.toFixed(0)} ms (${b.busiestRatio.toFixed(2)}x); native CLI ${bench.nativeMs[k]} ms`);
  }
  console.log(`     (load average ${bench.loadavg}: the wall-time speedup needs idle cores; the busiest worker's CPU time is the bound with a core per worker)`);
  console.log(`     first 2-worker call (starts a second worker): float ${par.firstMs[2].float.toFixed(0)} ms; navigator.hardwareConcurrency ${par.cores}`);
  result.parallelEvaluate = bench;

  // 6. The copyable example page, as a user drives it.
  const ep = await context.newPage();
  ep.on("pageerror", (e) => pageErrors.push(`embed.html: ${e}`));
  await ep.goto(new URL("node_modules/fixq/examples/embed.html", cfg.pageURL).href);
  await ep.setInputFiles("#model", cfg.embed.broken);
  await ep.setInputFiles("#images", cfg.embed.images);
  await ep.click("#go");
  const brokenText = await ep.locator("#out").filter({ hasText: /Error/ }).textContent({ timeout: 60_000 });
  check(/BAD_MODEL/.test(brokenText) && /onnx/i.test(brokenText), `embed.html: a broken model shows "${brokenText}"`);
  await ep.setInputFiles("#model", cfg.embed.model);
  await ep.fill("#mean", "0.5");
  await ep.fill("#std", "0.5");
  await ep.click("#go");
  const link = ep.locator("#out a");
  await link.waitFor({ timeout: 300_000 });
  const [download] = await Promise.all([ep.waitForEvent("download"), link.click()]);
  const { createHash } = await import("node:crypto");
  const got = createHash("sha256").update(readFileSync(await download.path())).digest("hex");
  check(got === cfg.embed.native && download.suggestedFilename() === "cnn_fmnist_int8.onnx",
    `embed.html: the downloaded ${download.suggestedFilename()} is byte-identical to fixq quantize --mean 0.5 --std 0.5`);
  await ep.close();

  // A second visit (HTTP cache, Chromium's compiled-wasm cache): import -> ready again.
  const wp2 = await context.newPage();
  await wp2.goto(cfg.pageURL);
  await wp2.waitForFunction(() => window.fixqTest || window.fixqTestError, null, { timeout: 120_000 });
  result.startWarm = await wp2.evaluate(() => window.fixqTestError || { importToReadyMs: window.fixqTest.importToReadyMs });
  console.log(`     import -> ready on a second visit: ${result.startWarm.importToReadyMs?.toFixed(0)} ms`);
  await wp2.close();

  // init/terminate: nothing loads before the first call; a bad wasm URL
  // rejects START_FAILED; other URLs while running reject; terminate
  // rejects the running call; the next call starts a fresh core.
  const bp = await context.newPage();
  const bareReqs = [];
  bp.on("request", (r) => bareReqs.push(new URL(r.url()).pathname));
  await bp.goto(new URL("bare.html", cfg.pageURL).href);
  await bp.waitForFunction(() => window.fixqBare);
  await bp.waitForTimeout(300);
  const lazy = !bareReqs.some((p) => /fixq-worker|fixq-core|wasm_exec/.test(p));
  const lazyReqs = bareReqs.join(" ");
  await bp.evaluate(initHelpers);
  const life = await bp.evaluate(async (c) => {
    const fixq = window.fixqBare;
    const badStart = await T.error(fixq.init({ wasmURL: "./node_modules/fixq/missing.wasm" }));
    const ok = await fixq.init();
    const otherURL = await T.error(fixq.init({ wasmURL: "./elsewhere/fixq-core.wasm" }));
    const model = await T.bytes(c.dataURL + c.tensor.model);
    const calib = T.npy(await T.bytes(c.dataURL + c.tensor.npy));
    let stopped = false;
    const terminated = await T.error(fixq.quantize(model, calib, c.tensor.options, {
      onProgress: () => { if (!stopped) { stopped = true; fixq.terminate(); } },
    }));
    const again = await fixq.inspect(model);
    // Helper workers whose script cannot load (a 404): evaluate falls
    // back to the main worker and still gives the CLI's answer.
    const RealWorker = window.Worker;
    const started = [];
    window.Worker = class extends RealWorker {
      constructor(url, o) {
        started.push(o?.name);
        super(o?.name === "fixq" ? url : new URL("./no-such-worker.js", location.href), o);
      }
    };
    const p = c.parallel;
    const data = await T.named(c.dataURL + p.dir, p.files);
    const pm = await T.bytes(c.dataURL + p.model);
    let fallback, fallbackAgain;
    try {
      fallback = await fixq.evaluate(pm, data, { ...p.options, workers: 2 }).catch((e) => ({ code: e.code, message: e.message }));
      fallbackAgain = await fixq.evaluate(pm, data, { ...p.options, workers: 2 }).catch((e) => ({ code: e.code, message: e.message }));
    } finally {
      window.Worker = RealWorker;
    }
    return { badStart, ok, otherURL, terminated, againOK: !!again.inspector, fallback, fallbackAgain, started };
  }, cfg);
  await bp.close();
  check(lazy, `importing the module loads nothing else (${lazyReqs})`);
  check(life.badStart.code === "START_FAILED" && /missing\.wasm/.test(life.badStart.message), `init with a missing wasm rejects START_FAILED: ${JSON.stringify(life.badStart)}`);
  check(life.ok.version === cfg.version && life.otherURL.code === "BAD_REQUEST", `init() then recovers; other URLs while running reject BAD_REQUEST`);
  check(same(life.fallback, cfg.parallel.nativeFloat) && same(life.fallbackAgain, cfg.parallel.nativeFloat),
    `evaluate with 2 workers whose helper cannot start falls back to one worker and equals fixq eval --json: ${JSON.stringify(life.fallback)}`);
  check(life.started.filter((n) => n !== "fixq").length === 1,
    `after a helper failed, later evaluate calls start no more helpers (workers started: ${life.started.join(", ")})`);
  check(life.terminated.code === "TERMINATED" && life.againOK, `terminate() rejects the running call with TERMINATED; the next call starts a new core: ${JSON.stringify(life.terminated)}`);

  // 7. Privacy: every request the page and its worker made went to our origin.
  const origin = new URL(cfg.pageURL).origin;
  const foreign = requests.filter((u) => { try { return new URL(u).origin !== origin; } catch { return true; } });
  check(requests.some((u) => u.endsWith("/node_modules/fixq/fixq-core.wasm")), `the request log includes the worker's wasm fetch (${requests.length} requests recorded)`);
  check(foreign.length === 0, `only same-origin requests: ${foreign.length ? foreign.join(", ") : "none elsewhere"}`);
  result.requests = requests;
  check(pageErrors.length === 0, `no page errors: ${pageErrors.join(" | ")}`);
} catch (err) {
  failures.push(`exception: ${err.stack || err}`);
  console.log(`FAIL exception: ${err.stack || err}`);
} finally {
  await context.close();
}
result.failures = failures;
mkdirSync(dirname(resultPath), { recursive: true });
writeFileSync(resultPath, JSON.stringify(result, null, 2) + "\n");
process.exit(failures.length ? 1 : 0);
