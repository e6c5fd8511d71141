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

# Data: the demo when present, else cnn_fmnist and Fashion-MNIST PNGs.
data=$site/$prefix/data
mkdir -p "$data"
go run ./scripts/module/fixtures -out "$data/fmnist" -calib 16 -eval 40
cp testdata/models/cnn_fmnist.onnx testdata/fmnist_test64.npy "$data/"
fmnist_prep='{"gray":true,"mean":[0.5],"std":[0.5]}'
demo_imgs=$(find public/demo/calib -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) 2>/dev/null | sort | head -8 || true)
if [ -f public/demo/model.onnx ] && [ -n "$demo_imgs" ]; then
	echo "test-module: images case: public/demo/model.onnx + $(echo "$demo_imgs" | wc -l) images from public/demo/calib"
	mkdir -p "$data/demo/calib"
	cp public/demo/model.onnx "$data/demo/"
	echo "$demo_imgs" | xargs -I{} cp {} "$data/demo/calib/"
	img_model=demo/model.onnx img_dir=demo/calib/
	# Preprocessing: the demo's own (public/demo/preprocess.json, a
	# prep.Options object), else the CLI's defaults.
	img_prep=$(cat public/demo/preprocess.json 2>/dev/null || echo '{}')
else
	echo "test-module: images case: public/demo is not there yet; testdata/models/cnn_fmnist.onnx + 16 Fashion-MNIST PNGs"
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
t0=$(ms)
"$fixq" quantize "$data/cnn_fmnist.onnx" --calib "$data/fmnist_test64.npy" --calib-size 32 -o "$T/tensor.onnx" --quiet >/dev/null
tensor_ms=$(($(ms) - t0))
cp "$T/tensor.onnx" "$data/quantized.onnx"
target=DPUCZDX8G_ISA1_B1152
"$fixq" inspect "$data/cnn_fmnist.onnx" --target "$target" --json >"$T/inspect.json"
"$fixq" eval "$data/cnn_fmnist.onnx" --data "$data/fmnist/eval" --preprocess "$T/fmnist_prep.json" --json >"$T/eval_float.json"
"$fixq" eval "$data/quantized.onnx" --data "$data/fmnist/eval" --preprocess "$T/fmnist_prep.json" --json >"$T/eval_q.json"
eval_files=$(cd "$data/fmnist/eval" && find . -type f -name '*.png' | sed 's|^\./||' | sort)

cfg=$T/config.json
IMG_FILES=$img_files EVAL_FILES=$eval_files /usr/bin/python3 - "$cfg" <<EOF
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
             "native": {"model": "$(sha "$T/img.onnx")", "quantInfo": "$(sha "$T/img.quant_info.json")", "report": "$(sha "$T/img.report.json")"}},
  "tensor": {"model": "cnn_fmnist.onnx", "npy": "fmnist_test64.npy", "options": {"calib_size": 32}, "nativeMs": $tensor_ms,
             "native": {"model": "$(sha "$T/tensor.onnx")", "quantInfo": "$(sha "$T/tensor.quant_info.json")", "report": "$(sha "$T/tensor.report.json")"}},
  "inspect": {"target": "$target", "native": j("$T/inspect.json")},
  "evaluate": {"dir": "fmnist/eval/", "files": lines(os.environ["EVAL_FILES"]), "quantized": "quantized.onnx",
               "options": {"preprocess": j("$T/fmnist_prep.json")},
               "nativeFloat": j("$T/eval_float.json"), "nativeQuantized": j("$T/eval_q.json")},
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
node scripts/module/browser_test.mjs "$cfg" "$out/result.json" || status=$?
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
grep -v '^GET ' "$out/server-requests.log" && { echo "test-module: the server saw a non-GET request" >&2; status=1; } || true
if [ "$status" -ne 0 ]; then
	echo "test-module: FAILED (details: $out/result.json)" >&2
	exit "$status"
fi
echo "test-module: ok"
