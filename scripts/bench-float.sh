#!/usr/bin/env bash
# Float-engine latency and memory: fixq native vs onnxruntime-node, one thread.
#
#   scripts/bench-float.sh            (env: CLS_RUNS, DET_RUNS to change run counts)
#
# Latency: single-inference time of the PaddleOCR cls model (1x3x48x192) and
# det model (1x3x640x640), the median of N runs inside one process for each
# side, after warm-up:
#   fixq: go test -bench (core/conformance BenchmarkPaddleCls/Det) with -cpu 1
#         (GOMAXPROCS=1), reporting the median-ms metric;
#   ort:  scripts/bench/ort_bench.js, intraOpNumThreads 1, interOpNumThreads 1,
#         graphOptimizationLevel 'all'.
# Memory: peak RSS (/usr/bin/time -v, Debian package `time`) of one det run at
# 640x640: `fixq run` (decode, run, write the output .npy) and onnxruntime-node (one
# run, no warm-up; includes the node runtime itself).
# Figures are printed, never judged: this script does not fail on a slow result.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${FIXQ_CACHE:-$HOME/.cache/fixq}
ASSETS=$CACHE/models/ocr-models/assets
CLS=$ASSETS/ch_ppocr_mobile_v2.0_cls_infer.onnx
DET=$ASSETS/ch_PP-OCRv4_det_infer.onnx
export NODE_PATH=$CACHE/node/node_modules
CLS_RUNS=${CLS_RUNS:-30}
DET_RUNS=${DET_RUNS:-5}

for f in "$CLS" "$DET" "$NODE_PATH/onnxruntime-node" /usr/bin/time; do
  [ -e "$f" ] || { echo "bench-float: missing $f (run scripts/setup.sh; apt-get install time)" >&2; exit 1; }
done
command -v node >/dev/null || { echo "bench-float: node not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fixq: one benchmark process per model, so each has the whole pool to itself.
fixq_median() { # NAME RUNS
  go test ./core/conformance -run '^$' -bench "^Benchmark$1\$" -cpu 1 -benchtime "$2x" -count 1 >"$tmp/$1.txt" 2>&1 ||
    { cat "$tmp/$1.txt" >&2; echo "bench-float: fixq benchmark $1 failed" >&2; return 1; }
  awk '/^Benchmark/ { for (i = 2; i <= NF; i++) if ($i == "median-ms") print $(i-1) }' "$tmp/$1.txt"
}
ort_median() { # MODEL DIMS RUNS
  node scripts/bench/ort_bench.js "$1" "$2" "$3" 3 | sed -n 's/^median_ms=\([0-9.]*\).*/\1/p'
}

echo "measuring (fixq: $CLS_RUNS / $DET_RUNS runs, ort: the same) ..." >&2
fc=$(fixq_median PaddleCls "$CLS_RUNS")
oc=$(ort_median "$CLS" 1,3,48,192 "$CLS_RUNS")
fd=$(fixq_median PaddleDet "$DET_RUNS")
od=$(ort_median "$DET" 1,3,640,640 "$DET_RUNS")

echo
echo "Single-inference latency, 1 thread, median ms (go $(go env GOVERSION), onnxruntime-node 1.30.0 opt=all)"
printf '%-28s %12s %12s %10s\n' model fixq_ms ort_ms fixq/ort
printf '%-28s %12.2f %12.2f %10.2f\n' "cls 1x3x48x192" "$fc" "$oc" "$(awk -v a="$fc" -v b="$oc" 'BEGIN { print a / b }')"
printf '%-28s %12.2f %12.2f %10.2f\n' "det 1x3x640x640" "$fd" "$od" "$(awk -v a="$fd" -v b="$od" 'BEGIN { print a / b }')"

# Peak memory of one det run: the CLI on a .npy input (seeded uniform [-1,1)),
node -e '
const { writeNpy } = require("./scripts/ort/run.js");
const n = 3 * 640 * 640, d = new Float32Array(n);
let s = 12345;
for (let i = 0; i < n; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; d[i] = (s / 4294967296) * 2 - 1; }
writeNpy(process.argv[1], "float32", [1, 3, 640, 640], d);' "$tmp/x640.npy"
go build -o "$tmp/fixq" ./cmd/fixq
what="fixq run $(basename "$DET") --input x.npy --out-dir DIR"
cmd=("$tmp/fixq" run "$DET" --input "$tmp/x640.npy" --out-dir "$tmp/out")
# peak CMD...: peak RSS in MiB of CMD (which must succeed).
peak() {
  if ! /usr/bin/time -v -o "$tmp/time.txt" "$@" >/dev/null 2>"$tmp/err.txt"; then
    cat "$tmp/err.txt" >&2; echo "bench-float: $* failed" >&2; return 1
  fi
  awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tmp/time.txt"
}
mf=$(peak "${cmd[@]}")
mo=$(peak node scripts/bench/ort_bench.js "$DET" 1,3,640,640 1 0)
echo
echo "Peak RSS of one det 1x3x640x640 run (decode + run), MiB"
printf '%-28s %12s   %s\n' fixq "$mf" "$what"
printf '%-28s %12s   %s\n' onnxruntime-node "$mo" "node scripts/bench/ort_bench.js, 1 run (includes node itself)"
