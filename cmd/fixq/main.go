// Command fixq is the CLI of fixq: inspect, run and quantize ONNX models.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "fixq: not yet implemented")
	os.Exit(2)
}
