//go:build js && wasm

// Command fixq-ui is the browser app's UI wasm (public/fixq-ui.wasm): it
// mounts the ui.Root component on #vugu_mount_point and re-renders on
// every event. The page glue (public/app-glue.js) must have set up
// globalThis.fixqApp before this starts.
package main

import (
	"log"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"

	"fixq/ui"
)

func main() {
	renderer, err := domrender.New("#vugu_mount_point")
	if err != nil {
		log.Fatal(err)
	}
	defer renderer.Release()
	buildEnv, err := vugu.NewBuildEnv(renderer.EventEnv())
	if err != nil {
		log.Fatal(err)
	}
	bridge, err := ui.GlobalBridge()
	if err != nil {
		log.Print(err) // the page shows "the page glue is not loaded" on use
	}
	root := &ui.Root{Bridge: bridge, Form: ui.DefaultForm()}
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
			log.Fatal(err)
		}
	}
}
