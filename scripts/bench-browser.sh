#!/bin/bash
# scripts/bench-browser.sh: fixq in the browser vs native, for the note of
# the browser-app issue (figures, not pass/fail on timing).
#
#   scripts/bench-browser.sh            # RUNS=3 runs of each case
#   RUNS=5 scripts/bench-browser.sh
#   CASES=eval scripts/bench-browser.sh   # only the cases whose name matches (grep -E)
#   CASES=rec_quantize scripts/bench-browser.sh   # the memory case (opt-in, ~30-60 min)
#
# Cases, each run RUNS times natively (`fixq quantize` / `fixq eval`, wall
# and user+sys CPU time from /usr/bin/time) and in headless Chromium through
# the ES module (wall time, and the CPU time of the browser's processes from
# /proc; fixq's core is single-threaded in both):
#   demo quantize  public/demo's model, its 100 calibration PNGs, its preprocessing
#   cls quantize   PaddleOCR's direction classifier (ch_ppocr_mobile_v2.0_cls,
#                  3x48x192, mean 0.5 std 0.5) on 100 text-line PNGs rendered by
#                  scripts/module/ocr_cls_pngs.py
#   demo evaluate  the 200 demo evaluation images, float and the quantized model
#                  on the DPU emulator, with 1 and 2 browser workers
#   rec quantize   only when CASES names it ("rec"), and one run of it
#                  whatever RUNS says: PaddleOCR's text recogniser
#                  (ch_PP-OCRv4_rec, 10.8 MB, 3x48x320, mean 0.5 std 0.5) on 200
#                  text-line PNGs (ocr_cls_pngs.py --rec), in a tab with
#                  Chromium's default memory limits: the browser-app issue's
#                  "10 MB model, 200 calibration images" memory check
# Memory (every case): the native runs' maximum RSS (/usr/bin/time); in the
# browser, sampled every second, the peak RSS of the tab's renderer process
# (the page and its Web Workers), the PSS of all the browser's processes
# together (RSS with shared pages split among them), and the peak size of the worker's
# WebAssembly memory (Go's heap arena; read through a hook this script adds to
# its copy of wasm_exec.js, the core and its messages unchanged).
# The browser's quantized models and evaluation results must equal the CLI's
# (the script fails otherwise). Also: gzip -9 sizes of fixq-core.wasm and
# fixq-ui.wasm. Output: a summary on stdout, build/test-artifacts/bench-browser.json.
# The machine's load matters: compare figures of one run, prefer the CPU ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${FIXQ_CACHE:-$HOME/.cache/fixq}
export NODE_PATH=${NODE_PATH:-$cache/node/node_modules}
RUNS=${RUNS:-3}
CASES=${CASES:-.}
cls_model=$cache/models/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
rec_model=$cache/models/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx
rec=
case $CASES in *rec*) rec=1 ;; esac
for f in /usr/bin/chromium /usr/bin/time "$NODE_PATH/playwright-core/package.json" "$cls_model" public/demo/manifest.json ${rec:+"$rec_model"}; do
	[ -e "$f" ] || { echo "bench-browser: missing $f (run scripts/setup.sh)" >&2; exit 1; }
done

T=$(mktemp -d /tmp/fixq-bench-browser.XXXXXX)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

scripts/module/build.sh module >/dev/null
go build -o "$T/fixq" ./cmd/fixq
fixq=$T/fixq
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$T/fixq-ui.wasm" ./ui/cmd/fixq-ui

site=$T/site
mkdir -p "$site/data/demo" "$site/data/cls"
cp -r build/module "$site/fixq"
cp -r public/demo/model.onnx public/demo/calib public/demo/eval "$site/data/demo/"
cp "$cls_model" "$site/data/cls/model.onnx"
/usr/bin/python3 scripts/module/ocr_cls_pngs.py "$site/data/cls/calib" --n 100 >/dev/null
if [ -n "$rec" ]; then
	mkdir -p "$site/data/rec"
	cp "$rec_model" "$site/data/rec/model.onnx"
	/usr/bin/python3 scripts/module/ocr_cls_pngs.py "$site/data/rec/calib" --n 200 --rec >/dev/null
fi
# The benchmark's hook: each worker's WebAssembly memory as
# self.fixqBenchWasmMemory, for bench_browser.mjs to read its size.
cat >>"$site/fixq/wasm_exec.js" <<'EOF'
;(() => {
	const run = globalThis.Go.prototype.run;
	globalThis.Go.prototype.run = function (instance) {
		self.fixqBenchWasmMemory = instance.exports.mem;
		return run.call(this, instance);
	};
})();
EOF
cat >"$site/index.html" <<'EOF'
<!doctype html>
<meta charset="utf-8">
<title>fixq browser benchmark</title>
<link rel="icon" href="data:,">
<script type="module">
  const t0 = performance.now();
  try {
    const fixq = await import("./fixq/fixq.mjs");
    const ready = await fixq.init();
    window.fixqStart = { importToReadyMs: performance.now() - t0, version: ready.version };
    window.fixq = fixq;
  } catch (err) {
    window.fixqError = { error: `${err.code}: ${err.message}` };
  }
</script>
EOF

# The demo's preprocessing (manifest.json) and the classifier's.
/usr/bin/python3 - public/demo/manifest.json >"$T/demo_prep.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
p = m.get("preprocess") if isinstance(m.get("preprocess"), dict) else {k: m[k] for k in ("mean", "std") if k in m}
if m.get("channels") == "gray": p["gray"] = True
if m.get("channels") == "bgr": p["bgr"] = True
print(json.dumps(p))
EOF
echo '{"size":[48,192],"mean":[0.5],"std":[0.5]}' >"$T/cls_prep.json"
echo '{"size":[48,320],"mean":[0.5],"std":[0.5]}' >"$T/rec_prep.json"
demo_n=$(ls "$site/data/demo/calib" | wc -l)

# Native runs: "wall user sys maxRSS" (seconds, KB) per run, one line each.
native() { # name, then the fixq arguments
	local name=$1 runs=$RUNS
	shift
	if ! echo "$name" | grep -qE "$CASES"; then
		runs=1 # still needed: the demo's quantized model
		[ "$name" = demo_quantize ] || return 0
	fi
	case $name in rec_*) [ -n "$rec" ] || return 0; runs=1 ;; esac
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %U %S %M' -o "$T/time" "$fixq" "$@" >"$T/$name.out" 2>/dev/null
		cat "$T/time" >>"$T/$name.times"
	done
}
echo "bench-browser: native, $RUNS runs of each case${rec:+ (rec_quantize: 1)}" >&2
native demo_quantize quantize "$site/data/demo/model.onnx" --calib "$site/data/demo/calib" --calib-size "$demo_n" \
	--preprocess "$T/demo_prep.json" -o "$T/demo_q.onnx" --quiet
native cls_quantize quantize "$site/data/cls/model.onnx" --calib "$site/data/cls/calib" --calib-size 100 \
	--preprocess "$T/cls_prep.json" -o "$T/cls_q.onnx" --quiet
native rec_quantize quantize "$site/data/rec/model.onnx" --calib "$site/data/rec/calib" --calib-size 200 \
	--preprocess "$T/rec_prep.json" -o "$T/rec_q.onnx" --quiet
cp "$T/demo_q.onnx" "$site/data/demo/quantized.onnx"
native demo_eval_float eval "$site/data/demo/model.onnx" --data "$site/data/demo/eval" --preprocess "$T/demo_prep.json" --json
native demo_eval_dpu eval --dpu "$site/data/demo/quantized.onnx" --data "$site/data/demo/eval" --preprocess "$T/demo_prep.json" --json

"$fixq" serve --port 0 "$site" >"$T/serve.out" 2>"$T/serve.log" &
server_pid=$!
for _ in $(seq 50); do grep -q http:// "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*/' "$T/serve.out" | head -1)
[ -n "$base" ] || { echo "bench-browser: fixq serve did not start: $(cat "$T/serve.log")" >&2; exit 1; }

out=build/test-artifacts
mkdir -p "$out"
CASES=$CASES /usr/bin/python3 - "$T" "$site" "$base" "$RUNS" >"$T/config.json" <<'EOF'
import hashlib, json, os, re, sys
T, site, base, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
j = lambda p: json.load(open(p)) if os.path.exists(p) else None
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest() if os.path.exists(p) else None
files = lambda d: sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs if f.endswith(".png"))
demo_prep, cls_prep, rec_prep = j(T + "/demo_prep.json"), j(T + "/cls_prep.json"), j(T + "/rec_prep.json")
demo_calib, cls_calib, rec_calib = files(site + "/data/demo/calib"), files(site + "/data/cls/calib"), files(site + "/data/rec/calib")
ev = files(site + "/data/demo/eval")
d = base + "data/"
cases = [
    {"name": "demo_quantize", "op": "quantize", "model": d + "demo/model.onnx", "dir": d + "demo/calib/", "files": demo_calib,
     "options": {"calib_size": len(demo_calib), "preprocess": demo_prep}, "native": {"sha": sha(T + "/demo_q.onnx")}},
    {"name": "cls_quantize", "op": "quantize", "model": d + "cls/model.onnx", "dir": d + "cls/calib/", "files": cls_calib,
     "options": {"calib_size": 100, "preprocess": cls_prep}, "native": {"sha": sha(T + "/cls_q.onnx")}},
]
for w in (1, 2):
    cases.append({"name": "demo_eval_float_w%d" % w, "op": "evaluate", "model": d + "demo/model.onnx", "dir": d + "demo/eval/", "files": ev,
                  "options": {"preprocess": demo_prep, "workers": w}, "native": {"json": j(T + "/demo_eval_float.out")}})
    cases.append({"name": "demo_eval_dpu_w%d" % w, "op": "evaluate", "model": d + "demo/quantized.onnx", "dir": d + "demo/eval/", "files": ev,
                  "options": {"preprocess": demo_prep, "dpu": True, "workers": w}, "native": {"json": j(T + "/demo_eval_dpu.out")}})
if rec_calib:  # opt-in (CASES names it); one run
    cases.append({"name": "rec_quantize", "op": "quantize", "model": d + "rec/model.onnx", "dir": d + "rec/calib/", "files": rec_calib, "runs": 1,
                  "options": {"calib_size": 200, "preprocess": rec_prep}, "native": {"sha": sha(T + "/rec_q.onnx")}})
cases = [c for c in cases if re.search(os.environ.get("CASES", "."), c["name"])]
json.dump({"pageURL": base, "runs": runs, "cases": cases}, sys.stdout, indent=1)
EOF
echo "bench-browser: headless Chromium, $RUNS runs of each case (interleaved)${rec:+ (rec_quantize: 1)}" >&2
status=0
node scripts/module/bench_browser.mjs "$T/config.json" "$T/browser.json" >&2 || status=$?

gz() { gzip -9 -c "$1" | wc -c; }
/usr/bin/python3 - "$T" "$out/bench-browser.json" "$(stat -c %s build/module/fixq-core.wasm)" "$(gz build/module/fixq-core.wasm)" \
	"$(stat -c %s "$T/fixq-ui.wasm")" "$(gz "$T/fixq-ui.wasm")" "$(cat /proc/loadavg)" "$(nproc)" <<'EOF'
import json, statistics, sys
T, dest = sys.argv[1], sys.argv[2]
core_raw, core_gz, ui_raw, ui_gz = map(int, sys.argv[3:7])
b = json.load(open(T + "/browser.json"))
med = statistics.median
def native(name):
    rows = [list(map(float, l.split())) for l in open("%s/%s.times" % (T, name)) if l.strip()]
    return {"wall_s": [r[0] for r in rows], "cpu_s": [r[1] + r[2] for r in rows], "max_rss_mb": [r[3] / 1024 for r in rows]}
res = {"loadavg_at_end": sys.argv[7], "cpus": int(sys.argv[8]), "start": b.get("start"), "failures": b.get("failures"),
       "sizes": {"fixq-core.wasm": {"raw": core_raw, "gzip9": core_gz}, "fixq-ui.wasm": {"raw": ui_raw, "gzip9": ui_gz}}, "cases": {}}
print("bench-browser: fixq-core.wasm %.2f MB, %.2f MB gzip -9; fixq-ui.wasm %.2f MB, %.2f MB gzip -9" % (core_raw / 1e6, core_gz / 1e6, ui_raw / 1e6, ui_gz / 1e6))
print("bench-browser: import -> ready %.0f ms; %s CPUs, load average %s" % ((b.get("start") or {}).get("importToReadyMs", 0), sys.argv[8], sys.argv[7]))
for name, c in b["cases"].items():
    bw, bc = med(r["ms"] for r in c["runs"]) / 1000, med(r["cpuMs"] for r in c["runs"]) / 1000
    row = {"browser_wall_s": [r["ms"] / 1000 for r in c["runs"]], "browser_cpu_s": [r["cpuMs"] / 1000 for r in c["runs"]],
           "browser_max_worker_thread_cpu_s": [r["maxWorkerCpuMs"] / 1000 for r in c["runs"]],
           "browser_thread_cpu_s": [{k: v / 1000 for k, v in r["threadCpuMs"].items()} for r in c["runs"]],
           "identical_to_cli": c["identical"]}
    mem = [r.get("mem") or {} for r in c["runs"]]
    mb = lambda k: max(m.get(k, 0) for m in mem) / 1e6
    row.update({"browser_peak_tab_rss_mb": mb("tabRss"), "browser_tab_vmhwm_mb": mb("tabHwm"), "browser_peak_all_pss_mb": mb("allRss"),
                "browser_peak_wasm_memory_mb": mb("wasm"), "browser_peak_wasm_memory_all_workers_mb": mb("wasmAll")})
    nat = name.replace("_w1", "").replace("_w2", "")
    n = native(nat)
    nw, nc = med(n["wall_s"]), med(n["cpu_s"])
    row.update({"native_" + k: v for k, v in n.items()})
    row.update({"median_browser_wall_s": bw, "median_browser_cpu_s": bc, "median_native_wall_s": nw, "median_native_cpu_s": nc,
                "ratio_wall": bw / nw, "ratio_cpu": bc / nc})
    res["cases"][name] = row
    print("  %-20s browser %7.2f s wall %7.2f s CPU | native %6.2f s wall %6.2f s CPU | ratio %.2fx wall, %.2fx CPU | same as CLI: %s"
          % (name, bw, bc, nw, nc, bw / nw, bc / nc, "yes" if c["identical"] else "NO"))
    print("  %-20s memory: browser tab peak RSS %.0f MB (VmHWM %.0f MB), all processes %.0f MB PSS, wasm memory %.0f MB (all workers %.0f MB) | native max RSS %.0f MB"
          % ("", row["browser_peak_tab_rss_mb"], row["browser_tab_vmhwm_mb"], row["browser_peak_all_pss_mb"], row["browser_peak_wasm_memory_mb"],
             row["browser_peak_wasm_memory_all_workers_mb"], max(n["max_rss_mb"])))
for k in ("float", "dpu"):
    a, z = res["cases"].get("demo_eval_%s_w1" % k), res["cases"].get("demo_eval_%s_w2" % k)
    if a and z:
        s = a["median_browser_wall_s"] / z["median_browser_wall_s"]
        res["eval_%s_speedup_2_workers" % k] = s
        # The busiest worker thread's CPU time: the critical path when
        # every worker has a core of its own.
        m1, m2 = med(a["browser_max_worker_thread_cpu_s"]), med(z["browser_max_worker_thread_cpu_s"])
        res["eval_%s_busiest_worker_cpu_ratio" % k] = m1 / m2
        print("  evaluate %-5s 1 -> 2 workers: %.2fx wall (medians %.2f s -> %.2f s); CPU %.2f s -> %.2f s in all; busiest worker thread %.2f s -> %.2f s CPU (%.2fx)" % (
            k, s, a["median_browser_wall_s"], z["median_browser_wall_s"], a["median_browser_cpu_s"], z["median_browser_cpu_s"], m1, m2, m1 / m2))
json.dump(res, open(dest, "w"), indent=2)
print("bench-browser: %s (runs: %d each)" % (dest, len(next(iter(b["cases"].values()))["runs"]) if b["cases"] else 0))
EOF
exit "$status"
