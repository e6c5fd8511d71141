// Package ui is fixq's browser app: Vugu components (x.vugu + x.go, with
// the generated x_gen.go) compiled with ui/cmd/fixq-ui to one wasm that
// runs on the page's main thread.
//
// The UI never runs the quantizer itself. Every core call goes through the
// page glue (public/app-glue.js), which imports the ES module
// public/fixq.mjs (the core in a Web Worker) and exposes a small bridge
// object, globalThis.fixqApp. Files stay JavaScript objects (File, Blob):
// the UI holds handles to them, reads only the model's header to infer the
// preprocessing, and receives results as JSON text (mirrored here by
// small structs: results.go) plus blob: URLs for the downloads.
//
// Long work runs in a goroutine that waits on the bridge's promises and
// re-renders under EventEnv Lock/UnlockRender; a Vugu event handler never
// blocks. The page logic that needs no browser (preprocessing inference,
// options JSON, sorting, the histogram SVG) lives in plain Go files and is
// tested natively.
package ui
