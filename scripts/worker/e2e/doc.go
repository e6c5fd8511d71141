// Package e2e holds the end-to-end test of fixq's Cloudflare Worker
// against the real workerd (wrangler dev --local). It runs only when
// FIXQ_WORKER_E2E=1 (make test-worker sets it, after make worker); then
// a missing tool fails the test under CI=true and skips it elsewhere.
package e2e
