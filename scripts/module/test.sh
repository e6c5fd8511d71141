#!/bin/bash
# scripts/module/test.sh: the browser test of the ES module (make test-module).
#
# Builds build/module, packs it with npm pack, installs the tarball into a
# temporary site (offline), serves the site with `fixq serve` and has
# headless Chromium open a blank page under a path prefix that imports the
# installed package. The page quantizes the demo model (public/demo, or
# testdata's cnn_fmnist with Fashion-MNIST PNGs when the demo is absent) and
# a Float32Array, inspects and evaluates; every answer is compared with the
# native CLI's on the same inputs (bytes for quantize). Also: progress
# events, AbortSignal, broken inputs, and that no request left the origin.
# Parallel evaluation: the demo's evaluation set (float, and the quantized
# model on the DPU emulator) with 1, 2 and 3 workers equals `fixq eval`
# (pass/fail), and the time with 1 vs 2 workers is measured (medians of
# FIXQ_BENCH_RUNS runs, default 3; a figure, not pass/fail).
# Figures go to build/test-artifacts/module/result.json.
#
# Under CI=true a missing chromium or playwright-core fails; elsewhere it skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
cache=${FIXQ_CACHE:-$HOME/.cache/fixq}
export NODE_PATH=${NODE_PATH:-$cache/node/node_modules}

missing() {
	if [ "${CI:-}" = true ]; then
		echo "test-module: FAIL: missing $1" >&2
		exit 1
	fi
	echo "test-module: SKIP: missing $1 (run scripts/setup.sh)"
	exit 0
}
[ -x /usr/bin/chromium ] || missing /usr/bin/chromium
[ -f "$NODE_PATH/playwright-core/package.json" ] || missing "playwright-core in $NODE_PATH"
command -v npm >/dev/null || missing npm
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing "dataset-fashion-mnist"

scripts/module/build.sh module >/dev/null
version=$(node -p 'require("./build/module/package.json").version')

T=$(mktemp -d /tmp/fixq-module-test.XXXXXX)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
go build -o "$T/fixq" ./cmd/fixq
fixq=$T/fixq
# The CLI with the pure-Go kernels the wasm build uses: when the browser
# differs from the CLI but not from this one, the cause is float rounding
# in the core's SIMD kernels, not the module.
go build -tags purego -o "$T/fixq-purego" ./cmd/fixq

# Pack, and install the tarball under a path prefix of the site.
tgz=$(cd build/module && npm pack --pack-destination "$T" --silent 2>/dev/null | tail -1)
prefix=some/prefix
site=$T/site
mkdir -p "$site/$prefix"
npm install "$T/$tgz" --prefix "$site/$prefix" --offline --no-audit --no-fund --silent >/dev/null
test -f "$site/$prefix/node_modules/fixq/fixq-core.wasm"
echo "test-module: packed $tgz ($(du -k "$T/$tgz" | cut -f1) KB), installed under /$prefix/node_modules/fixq"

cat >"$site/$prefix/index.html" <<'EOF'
<!doctype html>
<meta charset="utf-8">
<title>fixq module test</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "fixq": "./node_modules/fixq/fixq.mjs" } }</script>
<script type="module">
  const t0 = performance.now();
  try {
    const fixq = await import("fixq");
    const ready = await fixq.init();
    window.fixqTest = { fixq, importToReadyMs: performance.now() - t0, startMs: ready.startMs, coreVersion: ready.version };
  } catch (err) {
    window.fixqTestError = { error: `${err.code}: ${err.message}` };
  }
</script>
EOF

# A page that only imports the module (for init/terminate and lazy start).
cat >"$site/$prefix/bare.html" <<'EOF'
<!doctype html>
<meta charset="utf-8">
<title>fixq module, imported only</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "fixq": "./node_modules/fixq/fixq.mjs" } }</script>
<script type="module">import * as fixq from "fixq"; window.fixqBare = fixq;</script>
EOF

# Data: the demo when present, else cnn_fmnist and Fashion-MNIST PNGs.
data=$site/$prefix/data
mkdir -p "$data"
go run ./scripts/module/fixtures -out "$data/fmnist" -calib 16 -eval 40
cp testdata/models/cnn_fmnist.onnx testdata/fmnist_test64.npy "$data/"
fmnist_prep='{"gray":true,"mean":[0.5],"std":[0.5]}'
demo=${FIXQ_DEMO_DIR:-public/demo} # another folder of the same form for a try-out
# The demo ($demo, made for the app): its model, up to 8 of its
# calibration images (manifest.json's list, else the calib/ folder) and its
# preprocessing (manifest.json's "preprocess" object, else its mean, std,
# channels and scale, else preprocess.json, else the defaults).
demo_imgs=
if [ -f "$demo/manifest.json" ]; then
	demo_imgs=$(/usr/bin/python3 -c 'import json, sys; [print(sys.argv[1] + "/" + p) for p in json.load(open(sys.argv[1] + "/manifest.json")).get("calib", [])[:8]]' "$demo")
fi
if [ -z "$demo_imgs" ]; then
	demo_imgs=$(find "$demo/calib" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) 2>/dev/null | sort | head -8 || true)
fi
if [ -f "$demo/model.onnx" ] && [ -n "$demo_imgs" ]; then
	echo "test-module: images case: $demo/model.onnx + $(echo "$demo_imgs" | wc -l) demo images"
	mkdir -p "$data/demo/calib"
	cp "$demo/model.onnx" "$data/demo/"
	echo "$demo_imgs" | while read -r f; do cp "$f" "$data/demo/calib/"; done
	img_model=demo/model.onnx img_dir=demo/calib/
	img_prep=$(/usr/bin/python3 -c '
import json, os, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json")) if os.path.exists(d + "/manifest.json") else {}
p = m.get("preprocess")
if not isinstance(p, dict):  # a description: use mean/std/channels/scale
    p = {k: m[k] for k in ("mean", "std") if k in m}
    if m.get("channels") == "gray": p["gray"] = True
    if m.get("channels") == "bgr": p["bgr"] = True
    if m.get("scale") not in (None, 255): p["scale"] = 1 / m["scale"]
    if not p and os.path.exists(d + "/preprocess.json"):
        p = json.load(open(d + "/preprocess.json"))
print(json.dumps(p))' "$demo")
else
	echo "test-module: images case: no $demo yet; testdata/models/cnn_fmnist.onnx + 16 Fashion-MNIST PNGs"
	img_model=cnn_fmnist.onnx img_dir=fmnist/calib/
	img_prep=$fmnist_prep
fi
img_files=$(cd "$data/$img_dir" && ls | sort)
img_n=$(echo "$img_files" | wc -l)
echo "$img_prep" >"$T/img_prep.json"
echo "$fmnist_prep" >"$T/fmnist_prep.json"

ms() { date +%s%3N; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# Native results: the same inputs and options through the CLI.
t0=$(ms)
"$fixq" quantize "$data/$img_model" --calib "$data/$img_dir" --calib-size "$img_n" --preprocess "$T/img_prep.json" -o "$T/img.onnx" --quiet >/dev/null
img_ms=$(($(ms) - t0))
"$T/fixq-purego" quantize "$data/$img_model" --calib "$data/$img_dir" --calib-size "$img_n" --preprocess "$T/img_prep.json" -o "$T/img-purego.onnx" --quiet >/dev/null 2>&1
t0=$(ms)
"$fixq" quantize "$data/cnn_fmnist.onnx" --calib "$data/fmnist_test64.npy" --calib-size 32 -o "$T/tensor.onnx" --quiet >/dev/null
tensor_ms=$(($(ms) - t0))
cp "$T/tensor.onnx" "$data/quantized.onnx"
# examples/embed.html (mean/std fields, every image chosen) on the Fashion-MNIST PNGs.
"$fixq" quantize "$data/cnn_fmnist.onnx" --calib "$data/fmnist/calib" --calib-size 16 --mean 0.5 --std 0.5 -o "$T/embed.onnx" --quiet >/dev/null
printf 'not an onnx file' >"$T/broken.onnx"
target=DPUCZDX8G_ISA1_B1152
"$fixq" inspect "$data/cnn_fmnist.onnx" --target "$target" --json >"$T/inspect.json"
"$fixq" eval "$data/cnn_fmnist.onnx" --data "$data/fmnist/eval" --preprocess "$T/fmnist_prep.json" --json >"$T/eval_float.json"
"$fixq" eval "$data/quantized.onnx" --data "$data/fmnist/eval" --preprocess "$T/fmnist_prep.json" --json >"$T/eval_q.json"
eval_files=$(cd "$data/fmnist/eval" && find . -type f -name '*.png' | sed 's|^\./||' | sort)
# Parallel evaluation: the demo's labelled set with its float model and the
# quantized one from the images case (else the Fashion-MNIST PNGs).
if [ "$img_model" = demo/model.onnx ] && [ -d "$demo/eval" ]; then
	cp -r "$demo/eval" "$data/demo/eval"
	cp "$T/img.onnx" "$data/demo/quantized.onnx"
	par_model=demo/model.onnx par_q=demo/quantized.onnx par_dir=demo/eval par_prep=$T/img_prep.json
else
	par_model=cnn_fmnist.onnx par_q=quantized.onnx par_dir=fmnist/eval par_prep=$T/fmnist_prep.json
fi
"$fixq" eval "$data/$par_model" --data "$data/$par_dir" --preprocess "$par_prep" --json >"$T/par_float.json"
"$fixq" eval --dpu "$data/$par_q" --data "$data/$par_dir" --preprocess "$par_prep" --json >"$T/par_dpu.json"
par_files=$(cd "$data/$par_dir" && find . -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) | sed 's|^\./||' | sort)
# Native timings of the same evaluations (one process each, best of 3).
best_ms() {
	local best= t0 t
	for _ in 1 2 3; do
		t0=$(ms)
		"$@" >/dev/null
		t=$(($(ms) - t0))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}
par_native_float_ms=$(best_ms "$fixq" eval "$data/$par_model" --data "$data/$par_dir" --preprocess "$par_prep" --json)
par_native_dpu_ms=$(best_ms "$fixq" eval --dpu "$data/$par_q" --data "$data/$par_dir" --preprocess "$par_prep" --json)

cfg=$T/config.json
IMG_FILES=$img_files EVAL_FILES=$eval_files PAR_FILES=$par_files /usr/bin/python3 - "$cfg" <<EOF
import json, os, sys
j = lambda p: json.load(open(p))
lines = lambda s: [l for l in s.split("\n") if l]
json.dump({
  "version": "$version",
  "userDataDir": "$T/chromium-profile",
  "pageURL": None,
  "dataURL": "data/",
  "images": {"model": "$img_model", "calibDir": "$img_dir", "calib": lines(os.environ["IMG_FILES"]),
             "options": {"calib_size": $img_n, "preprocess": j("$T/img_prep.json")}, "nativeMs": $img_ms,
             "native": {"model": "$(sha "$T/img.onnx")", "quantInfo": "$(sha "$T/img.quant_info.json")", "report": "$(sha "$T/img.report.json")"},
             "purego": {"model": "$(sha "$T/img-purego.onnx")", "quantInfo": "$(sha "$T/img-purego.quant_info.json")", "report": "$(sha "$T/img-purego.report.json")"}},
  "tensor": {"model": "cnn_fmnist.onnx", "npy": "fmnist_test64.npy", "options": {"calib_size": 32}, "nativeMs": $tensor_ms,
             "native": {"model": "$(sha "$T/tensor.onnx")", "quantInfo": "$(sha "$T/tensor.quant_info.json")", "report": "$(sha "$T/tensor.report.json")"}},
  "embed": {"model": "$data/cnn_fmnist.onnx", "broken": "$T/broken.onnx",
            "images": ["$data/fmnist/calib/" + f for f in sorted(os.listdir("$data/fmnist/calib"))],
            "native": "$(sha "$T/embed.onnx")"},
  "inspect": {"target": "$target", "native": j("$T/inspect.json"), "nativeHash": "$(sha "$T/inspect.json")"},
  "evaluate": {"dir": "fmnist/eval/", "files": lines(os.environ["EVAL_FILES"]), "quantized": "quantized.onnx",
               "options": {"preprocess": j("$T/fmnist_prep.json")},
               "nativeFloat": j("$T/eval_float.json"), "nativeQuantized": j("$T/eval_q.json")},
  "parallel": {"model": "$par_model", "quantized": "$par_q", "dir": "$par_dir/", "files": lines(os.environ["PAR_FILES"]),
               "options": {"preprocess": j("$par_prep")}, "runs": int("${FIXQ_BENCH_RUNS:-3}"),
               "nativeFloat": j("$T/par_float.json"), "nativeDPU": j("$T/par_dpu.json"),
               "nativeFloatMs": $par_native_float_ms, "nativeDPUMs": $par_native_dpu_ms},
}, open(sys.argv[1], "w"), indent=1)
EOF

# Serve the site (127.0.0.1, a free port) and run the browser.
"$fixq" serve --port 0 --log "$site" >"$T/serve.out" 2>"$T/serve.log" &
server_pid=$!
for _ in $(seq 50); do grep -q http:// "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*/' "$T/serve.out" | head -1)
[ -n "$base" ] || { echo "test-module: fixq serve did not start: $(cat "$T/serve.log")" >&2; exit 1; }
/usr/bin/python3 - "$cfg" "$base$prefix/" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["pageURL"] = sys.argv[2]; json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF

out=build/test-artifacts/module
mkdir -p "$out"
status=0
rm -f "$out"/browser-images.* "$out"/native-images.*
node scripts/module/browser_test.mjs "$cfg" "$out/result.json" || status=$?
if ls "$out"/browser-images.* >/dev/null 2>&1; then
	cp "$T/img.onnx" "$out/native-images.onnx"
	cp "$T/img.quant_info.json" "$out/native-images.quant_info.json"
	cp "$T/img.report.json" "$out/native-images.report.json"
fi
cp "$T/serve.log" "$out/server-requests.log"

# Sizes: what a page transfers for the module (gzip -9, as a static host
# would compress it) and the core wasm alone.
gz() { gzip -9 -c "$1" | wc -c; }
mod=$site/$prefix/node_modules/fixq
total_raw=0 total_gz=0
for f in fixq.mjs fixq-worker.js wasm_exec.js fixq-core.wasm; do
	total_raw=$((total_raw + $(stat -c %s "$mod/$f")))
	total_gz=$((total_gz + $(gz "$mod/$f")))
done
/usr/bin/python3 - "$out/result.json" <<EOF
import json, sys
r = json.load(open(sys.argv[1]))
r["sizes"] = {"module_transfer_raw": $total_raw, "module_transfer_gzip9": $total_gz,
              "core_wasm_raw": $(stat -c %s "$mod/fixq-core.wasm"), "core_wasm_gzip9": $(gz "$mod/fixq-core.wasm"),
              "tarball": $(stat -c %s "$T/$tgz")}
json.dump(r, open(sys.argv[1], "w"), indent=2)
s, st = r["sizes"], r.get("start", {})
print(f"test-module: module transfer {s['module_transfer_raw']/1e6:.2f} MB raw, {s['module_transfer_gzip9']/1e6:.2f} MB gzip -9; "
      f"core wasm {s['core_wasm_raw']/1e6:.2f} MB / {s['core_wasm_gzip9']/1e6:.2f} MB gzip; "
      f"import -> ready {st.get('importToReadyMs', 0):.0f} ms")
EOF
# The server's own log, a second witness: GETs of the site's files only.
if grep -v -E "^GET /($prefix/|favicon\.ico$)" "$out/server-requests.log"; then
	echo "test-module: the server saw requests outside /$prefix/ (above)" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "test-module: FAILED (details: $out/result.json)" >&2
	exit "$status"
fi
echo "test-module: ok"
