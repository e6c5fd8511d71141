// CPU time of the browser's processes and threads, read from /proc (Linux):
// for timings on a shared, loaded machine, where wall time says more about
// the other jobs than about fixq. Used by browser_test.mjs and
// bench_browser.mjs; Chromium is a child process of this Node process.
import { readFileSync, readdirSync } from "node:fs";

const TICK = 100; // USER_HZ: /proc's clock ticks per second

function stat(path) {
  const s = readFileSync(path, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
  return { comm: s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")), ppid: Number(f[1]), ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICK };
}

// descendants lists the pids of every process below this one.
function descendants() {
  const parent = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parent.set(Number(d), stat(`/proc/${d}/stat`).ppid);
    } catch { /* gone */ }
  }
  const kids = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (kids.has(ppid) && !kids.has(pid)) { kids.add(pid); grew = true; }
  }
  kids.delete(process.pid);
  return [...kids];
}

/**
 * A snapshot: CPU ms of every thread of the browser's processes, by
 * "name#pid/tid", and of each process (its threads, exited ones included)
 * by "process#pid".
 */
export function threadCPU() {
  const by = {};
  for (const pid of descendants()) {
    try {
      by[`process#${pid}`] = stat(`/proc/${pid}/stat`).ms;
    } catch { continue; }
    let tasks = [];
    try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const t of tasks) {
      try {
        const s = stat(`/proc/${pid}/task/${t}/stat`);
        by[`${s.comm.replace(/[\d/]+$/, "").trim()}#${pid}/${t}`] = s.ms;
      } catch { /* gone */ }
    }
  }
  return by;
}

/**
 * CPU ms between two snapshots: in all, by thread name, and of the busiest
 * Web Worker thread (Chromium names them "DedicatedWorker"): the critical
 * path when every worker has a core of its own.
 */
export function cpuDiff(a, b) {
  const byName = {};
  let total = 0, maxWorker = 0;
  for (const [k, v] of Object.entries(b)) {
    const d = v - (a[k] || 0);
    if (d <= 0) continue;
    const name = k.split("#")[0];
    if (name === "process") {
      total += d;
      continue;
    }
    byName[name] = (byName[name] || 0) + d;
    if (/DedicatedWorker/.test(name)) maxWorker = Math.max(maxWorker, d);
  }
  return { total, byName, maxWorker };
}

/**
 * Resident memory of the browser's processes now, from /proc: each
 * process's RSS, peak RSS (VmHWM, the kernel's high-water mark) and PSS
 * (its RSS with each shared page split among the processes sharing it, so
 * the processes' PSS add up) in bytes, and its Chromium process type ("browser" for the main process,
 * else the --type= of its command line: "renderer" is the tab, whose
 * threads include its Web Workers; "gpu-process", "utility", "zygote"),
 * and for a renderer whether it runs a Web Worker (a "DedicatedWorker"
 * thread: the tab fixq runs in).
 */
export function procMemory() {
  const out = [];
  for (const pid of descendants()) {
    try {
      const st = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = (k) => Number((st.match(new RegExp(`^${k}:\\s+(\\d+) kB`, "m")) || [0, 0])[1]) * 1024;
      // Chromium rewrites its children's command lines as one
      // space-separated string.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!/chrom/i.test(cmd.split(" ")[0])) continue;
      const type = (cmd.match(/ --type=(\S+)/) || [0, "browser"])[1];
      let worker = false; // a renderer with Web Workers: the tab's
      if (type === "renderer") {
        for (const t of readdirSync(`/proc/${pid}/task`)) {
          try {
            if (/DedicatedWorker/.test(readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8"))) worker = true;
          } catch { /* gone */ }
        }
      }
      let pss = 0; // shared pages split among their users
      try {
        pss = Number((readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m) || [0, 0])[1]) * 1024;
      } catch { /* no smaps_rollup */ }
      out.push({ pid, type, worker, rss: kb("VmRSS"), hwm: kb("VmHWM"), pss });
    } catch { /* gone */ }
  }
  return out;
}
