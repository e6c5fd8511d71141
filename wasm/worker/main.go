//go:build js && wasm

// Command worker is fixq's Cloudflare Worker: it hands the API handler
// (wasm/api) to workers.Serve. Configuration comes from the Worker's vars
// and secrets (api.ConfigFromEnv); request bodies are read in one
// arrayBuffer() and one copy (body.go). Build it with `make worker`.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"fixq/wasm/api"
)

func main() {
	// syumai's worker.mjs starts a fresh Go instance for each request, so
	// the vars are read per request, inside the runtime context.
	cfg, err := api.ConfigFromEnv(getenv)
	if err != nil {
		workers.Serve(api.ConfigError(err))
		return
	}
	workers.Serve(wholeBody(api.New(cfg), cfg.WithDefaults().MaxBodyBytes))
}

// getenv reads a Worker var or secret; "" when unset.
func getenv(name string) string {
	v := cloudflare.GetBinding(name)
	if v.IsUndefined() || v.IsNull() {
		return ""
	}
	return v.String()
}
