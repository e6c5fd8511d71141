#!/usr/bin/env bash
# The Worker's end-to-end test: installs the toolchain (idempotent), builds
# build/worker, checks the upload size budget, then runs the Go test that
# starts wrangler dev (workerd) on a free 127.0.0.1 port, drives the API
# and compares with the native CLI. Under CI=true a missing tool fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/worker/setup.sh
scripts/worker/build.sh
scripts/worker/size.sh
FIXQ_WORKER_E2E=1 go test -count=1 -v -timeout 20m ./scripts/worker/e2e
