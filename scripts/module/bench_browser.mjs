// The browser benchmark (run by scripts/bench-browser.sh, which builds the
// module, prepares the data and the CLI's results): headless Chromium opens
// a page that imports fixq.mjs and runs each case `runs` times, recording
// the wall time and the CPU time the browser's processes used (from
// /proc: on a shared, loaded machine the CPU time is the steadier figure).
// Results that must equal the CLI's (quantized model bytes, evaluation
// JSON) are checked on every run; timings are figures, not pass/fail.
// Memory, sampled every second while a case runs: the RSS of the tab's
// renderer process (the one running the Web Workers; their threads are
// its threads), the PSS of all the browser's processes together, and the size of
// each worker's WebAssembly memory (Go's heap arena: js/wasm memory only
// grows, so its size is the core's peak) if the page's wasm_exec.js
// exposes it as self.fixqBenchWasmMemory (bench-browser.sh's copy does).
// A case may set "runs" (at most cfg.runs) when one run is long.
// Usage: node bench_browser.mjs CONFIG.json RESULT.json
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { threadCPU, cpuDiff, procMemory } from "./proccpu.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
page.setDefaultTimeout(4 * 3_600_000);
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
const result = { cases: {}, failures: [] };

// memorySampler samples the browser's memory every second until stop().
function memorySampler() {
  const m = { tabRss: 0, allRss: 0, wasm: 0, wasmAll: 0, samples: 0 };
  let asking = false;
  const procs = () => {
    const ps = procMemory();
    let all = 0;
    for (const p of ps) {
      all += p.pss;
      if (p.worker) m.tabRss = Math.max(m.tabRss, p.rss);
    }
    m.allRss = Math.max(m.allRss, all);
    m.samples++;
    return ps;
  };
  const wasm = async () => {
    if (asking) return; // a worker busy in Go answers at its next yield
    asking = true;
    try {
      const sizes = await Promise.all(page.workers().map((w) => w.evaluate(() => (self.fixqBenchWasmMemory ? self.fixqBenchWasmMemory.buffer.byteLength : 0)).catch(() => 0)));
      m.wasm = Math.max(m.wasm, ...sizes, 0);
      m.wasmAll = Math.max(m.wasmAll, sizes.reduce((a, b) => a + b, 0));
    } finally {
      asking = false;
    }
  };
  const timer = setInterval(() => { procs(); wasm(); }, 1000);
  return {
    stop() {
      clearInterval(timer);
      // VmHWM: the kernel's peak RSS of the tab's renderer since it started.
      const tab = procs().filter((p) => p.worker);
      return { ...m, tabHwm: Math.max(0, ...tab.map((p) => p.hwm)) };
    },
  };
}
try {
  await page.goto(cfg.pageURL);
  await page.waitForFunction(() => window.fixq || window.fixqError, null, { timeout: 120_000 });
  result.start = await page.evaluate(() => window.fixqError || window.fixqStart);
  // Files in the page: a case's model and data are fetched once.
  await page.evaluate(() => {
    window.B = {
      async bytes(url) {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`${url}: ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      },
      async files(base, names) {
        return Promise.all(names.map(async (n) => ({ name: n, data: await (await fetch(base + n)).blob() })));
      },
      async sha256(b) {
        return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", b)), (v) => v.toString(16).padStart(2, "0")).join("");
      },
    };
  });
  // Each case's model and data, fetched once; then the cases in turn, run
  // after run (interleaved, so a change in the machine's load hits all).
  await page.evaluate(async (cases) => {
    window.C = {};
    for (const c of cases) window.C[c.name] = { model: await B.bytes(c.model), data: await B.files(c.dir, c.files) };
  }, cfg.cases);
  const runs = Object.fromEntries(cfg.cases.map((c) => [c.name, []]));
  const same = (c, r) => (c.op === "quantize" ? r.sha === c.native.sha : r.json === JSON.stringify(c.native.json));
  for (let i = 0; i < cfg.runs; i++) {
    for (const c of cfg.cases) {
      if (i >= (c.runs || cfg.runs)) continue;
      const mem = memorySampler();
      const th0 = threadCPU();
      const r = await page.evaluate(async (c) => {
        const { model, data } = C[c.name];
        const t0 = performance.now();
        if (c.op === "quantize") {
          const q = await fixq.quantize(model, data, c.options);
          return { ms: performance.now() - t0, sha: await B.sha256(q.model) };
        }
        const e = await fixq.evaluate(model, data, c.options);
        return { ms: performance.now() - t0, json: JSON.stringify(e) };
      }, c);
      r.threads = cpuDiff(th0, threadCPU());
      r.cpuMs = r.threads.total;
      r.mem = mem.stop();
      runs[c.name].push(r);
      const ok = same(c, r);
      if (!ok) result.failures.push(`${c.name} run ${i + 1}: ${r.sha || r.json} differs from the CLI's`);
      const mb = (b) => (b / 1e6).toFixed(0);
      console.log(`     ${c.name} run ${i + 1}: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU (busiest worker thread ${r.threads.maxWorker.toFixed(0)} ms); ` +
        `peak tab RSS ${mb(r.mem.tabRss)} MB (VmHWM ${mb(r.mem.tabHwm)} MB), all processes ${mb(r.mem.allRss)} MB PSS, wasm memory ${mb(r.mem.wasm)} MB${ok ? "" : " (DIFFERS from the CLI)"}`);
    }
  }
  for (const c of cfg.cases) {
    result.cases[c.name] = { op: c.op, runs: runs[c.name].map(({ ms, cpuMs, threads, mem }) => ({ ms, cpuMs, maxWorkerCpuMs: threads.maxWorker, threadCpuMs: threads.byName, mem })), identical: runs[c.name].every((r) => same(c, r)) };
  }
} catch (err) {
  result.failures.push(`exception: ${err.stack || err}`);
  console.log(`FAIL ${err.stack || err}`);
} finally {
  await browser.close();
}
if (errors.length) result.failures.push(...errors);
writeFileSync(process.argv[3], JSON.stringify(result, null, 2) + "\n");
process.exit(result.failures.length ? 1 : 0);
