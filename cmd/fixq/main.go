// Command fixq is the CLI of fixq: inspect, run and quantize ONNX models.
//
// Each subcommand lives in its own file (info.go, run.go, ...) as a
// function with the signature of command.run; the table in main.go lists
// them. Errors print as one line, "fixq: ...", with exit status 1 (2 for
// a usage error).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand. run gets the arguments after the command
// name; it returns a usageError for bad arguments.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands is the CLI's command table (quantize, eval and inspect join
// here as they land).
var commands = []command{
	{"info", "describe a model: inputs, outputs, opsets, ops, parameters, support", runInfo},
	{"run", "run a model in float32 on .npy inputs and write .npy outputs", runRun},
	{"inspect", "which nodes a DPU target runs, which fall back to CPU and why; latency estimate", runInspect},
	{"quantize", "post-training quantization to DPU-style INT8: QDQ ONNX, quant info, report", runQuantize},
	{"eval", "top-1/top-5 accuracy of a float or QDQ model on an ImageFolder", runEval},
	{"qat", "quantization-aware training on a labelled ImageFolder, then the same QDQ export as quantize", runQAT},
	{"serve", "serve a folder (the browser app, the ES module) on 127.0.0.1 with the right MIME types", runServe},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole CLI; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		}
		fmt.Fprintf(stderr, "fixq: %s\n", oneLine(err.Error()))
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "fixq: unknown command %q (run fixq --help)\n", args[0])
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "fixq: INT8 quantizer for ONNX CNNs\n\nUsage: fixq COMMAND [arguments]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun fixq COMMAND --help for a command's arguments.\n")
}

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// newFlagSet makes a command's flag set: help goes to stdout, parse
// errors come back as usage errors (run prints them).
func newFlagSet(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: fixq %s %s\n", name, synopsis)
		fs.SetOutput(stdout)
		if hasFlags(fs) {
			fmt.Fprintf(stdout, "\nFlags:\n")
			fs.PrintDefaults()
		}
		fs.SetOutput(io.Discard)
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseArgs parses flags and positional arguments in any order
// (`fixq info model.onnx --json` and `fixq info --json model.onnx`).
// A "--" ends flag parsing.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err // the flag package has printed fs.Usage
			}
			return nil, usagef("%s: %v (run fixq %s --help)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
