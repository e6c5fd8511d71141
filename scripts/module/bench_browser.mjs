// The browser benchmark (run by scripts/bench-browser.sh, which builds the
// module, prepares the data and the CLI's results): headless Chromium opens
// a page that imports fixq.mjs and runs each case `runs` times, recording
// the wall time and the CPU time the browser's processes used (from
// /proc: on a shared, loaded machine the CPU time is the steadier figure).
// Results that must equal the CLI's (quantized model bytes, evaluation
// JSON) are checked on every run; timings are figures, not pass/fail.
// Usage: node bench_browser.mjs CONFIG.json RESULT.json
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const TICK = 100; // USER_HZ: /proc's clock ticks per second

// cpuMs sums user+system CPU time of every process below this one (the
// browser and its renderer, GPU and utility processes).
function cpuMs() {
  const procs = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
      procs.set(Number(d), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) });
    } catch { /* gone */ }
  }
  const below = (pid) => {
    for (let p = procs.get(pid)?.ppid; p; p = procs.get(p)?.ppid) if (p === process.pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, p] of procs) if (below(pid)) ticks += p.cpu;
  return (ticks * 1000) / TICK;
}

// threadCPU sums CPU time (ms) by thread name over the browser's threads
// (Chromium names a Web Worker's thread "DedicatedWorker"; V8's compile
// threads, the renderer's main thread and so on have names of their own).
function threadCPU() {
  const by = {};
  const kids = new Set([process.pid]);
  let grew = true;
  const stats = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      stats.push([Number(d), Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1])]);
    } catch { /* gone */ }
  }
  while (grew) {
    grew = false;
    for (const [pid, ppid] of stats) if (kids.has(ppid) && !kids.has(pid)) { kids.add(pid); grew = true; }
  }
  kids.delete(process.pid);
  for (const pid of kids) {
    let tasks = [];
    try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const t of tasks) {
      try {
        const s = readFileSync(`/proc/${pid}/task/${t}/stat`, "utf8");
        const comm = s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")).replace(/[\d/]+$/, "").trim();
        const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
        const key = `${comm}#${pid}/${t}`;
        by[key] = ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
      } catch { /* gone */ }
    }
  }
  return by;
}

// threadDiff: CPU ms per thread name between two threadCPU() snapshots,
// and the busiest single worker thread.
function threadDiff(a, b) {
  const byName = {};
  let maxWorker = 0;
  for (const [k, v] of Object.entries(b)) {
    const d = v - (a[k] || 0);
    if (d <= 0) continue;
    const name = k.split("#")[0];
    byName[name] = (byName[name] || 0) + d;
    if (/DedicatedWorker/.test(name)) maxWorker = Math.max(maxWorker, d);
  }
  return { byName, maxWorker };
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
page.setDefaultTimeout(3_600_000);
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
const result = { cases: {}, failures: [] };
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
      const cpu0 = cpuMs(), th0 = threadCPU();
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
      r.cpuMs = cpuMs() - cpu0;
      r.threads = threadDiff(th0, threadCPU());
      runs[c.name].push(r);
      const ok = same(c, r);
      if (!ok) result.failures.push(`${c.name} run ${i + 1}: ${r.sha || r.json} differs from the CLI's`);
      console.log(`     ${c.name} run ${i + 1}: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU (busiest worker thread ${r.threads.maxWorker.toFixed(0)} ms)${ok ? "" : " (DIFFERS from the CLI)"}`);
    }
  }
  for (const c of cfg.cases) {
    result.cases[c.name] = { op: c.op, runs: runs[c.name].map(({ ms, cpuMs, threads }) => ({ ms, cpuMs, maxWorkerCpuMs: threads.maxWorker, threadCpuMs: threads.byName })), identical: runs[c.name].every((r) => same(c, r)) };
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
