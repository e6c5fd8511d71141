// fixq-worker.js: the Web Worker that runs fixq's core (fixq-core.wasm).
// Started by fixq.mjs; not meant to be used directly. Its first message
// is {type: "init", wasmURL, wasmExecURL} (absolute URLs); every later
// message is a job for the Go side (see wasm/browser/doc.go). Messages that
// arrive before Go has started are queued and handed over once it calls
// fixqCoreReady, which then posts {type: "ready", version} to the page.
// If Go stops (a crash, out of memory) the worker posts
// {type: "fatal", code, message} with the last lines Go printed.
"use strict";

let handler = null; // Go's message handler, once ready
const queue = [];
let lastOutput = "";

self.fixqCoreReady = (h, version) => {
  handler = h;
  self.postMessage({ type: "ready", version });
  while (queue.length) handler(queue.shift());
};

self.onmessage = (event) => {
  const msg = event.data;
  if (msg && msg.type === "init") {
    start(msg).catch((err) => fatal("START_FAILED", `fixq: could not start the core: ${err && err.message || err}`));
    return;
  }
  if (handler) handler(msg);
  else queue.push(msg);
};

function fatal(code, message) {
  self.postMessage({ type: "fatal", code, message });
}

async function start({ wasmURL, wasmExecURL }) {
  importScripts(wasmExecURL);
  // Keep Go's last output: on a crash it says why (e.g. "out of memory").
  const fs = self.fs, write = fs.writeSync.bind(fs), dec = new TextDecoder();
  fs.writeSync = (fd, buf) => {
    lastOutput = (lastOutput + dec.decode(buf)).slice(-65536);
    return write(fd, buf);
  };
  const go = new Go();
  let exitCode = 0;
  const exit = go.exit;
  go.exit = (code) => { exitCode = code; exit(code); };
  const response = await fetch(wasmURL, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${wasmURL}: HTTP ${response.status}`);
  let instance;
  if ((response.headers.get("content-type") || "").startsWith("application/wasm")) {
    ({ instance } = await WebAssembly.instantiateStreaming(response, go.importObject));
  } else { // a server without the application/wasm type: compile from bytes
    ({ instance } = await WebAssembly.instantiate(await response.arrayBuffer(), go.importObject));
  }
  await go.run(instance); // returns only when Go exits
  // Report from Go's first "fatal error:" or "panic:" line, not its
  // goroutine dump.
  const lines = lastOutput.trim().split("\n");
  const at = lines.findIndex((l) => /^(fatal error|panic|runtime: out of memory)/.test(l));
  const why = lines.slice(Math.max(at, 0), Math.max(at, 0) + 4).join("\n");
  fatal(/out of memory/i.test(why) ? "OUT_OF_MEMORY" : "CRASHED",
    `fixq: the core stopped${exitCode ? ` (exit status ${exitCode})` : ""}${why ? ": " + why : ""}`);
}
