//go:build !(js && wasm)

// Command fixq-ui is the browser app's UI wasm; build it with
// GOOS=js GOARCH=wasm (make ui). Natively it only says so.
package main

import "fmt"

func main() { fmt.Println("fixq-ui: build with GOOS=js GOARCH=wasm (make ui)") }
