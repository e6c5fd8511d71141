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
