#!/usr/bin/env bash
# Builds the Cloudflare Worker into build/worker (what wrangler.jsonc
# points at): syumai's JS glue (worker.mjs, runtime.mjs, wasm_exec.js) and
# the stripped Go wasm, then prints the raw and gzip sizes.
# Usage: scripts/worker/build.sh [outdir]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/worker}
go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o "$OUT"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$OUT/app.wasm" ./wasm/worker
raw=$(stat -c %s "$OUT/app.wasm")
gz=$(gzip -9 -c "$OUT/app.wasm" | wc -c)
printf 'worker: %s/app.wasm %.2f MB raw, %.2f MB gzip -9 (free-plan budget: 3 MB gzip for the whole upload)\n' \
  "$OUT" "$(echo "$raw/1000000" | bc -l)" "$(echo "$gz/1000000" | bc -l)"
