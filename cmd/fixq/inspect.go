package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"fixq/core/job"
)

func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", "MODEL.onnx [--target NAME] [--input-shape N,C,H,W] [--json] [--verbose]", stdout)
	target := fs.String("target", "", "DPU target (default DPUCZDX8G_ISA1_B4096; a wrong name lists the known ones)")
	asJSON := fs.Bool("json", false, "print the Inspector and latency report as JSON")
	verbose := fs.Bool("verbose", false, "also print one block per node")
	shape := fs.String("input-shape", "", "shape for dynamic input dims, e.g. 1,3,48,192 (NAME=1,3,48,192 for one input of several)")
	clock := fs.Float64("clock", 0, "DPU clock in MHz for the latency estimate (default 300)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("inspect: want one MODEL.onnx (run fixq inspect --help)")
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	m, err := job.LoadModel(b, job.Limits{})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	opts := job.InspectOptions{Target: *target, ClockMHz: *clock}
	if *shape != "" {
		if opts.InputShapes, err = parseInputShapes(*shape, m.Graph.Inputs[0].Name); err != nil {
			return usagef("inspect: %v", err)
		}
	}
	res, err := job.InspectModel(context.Background(), m, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err = stdout.Write(res.JSON())
		return err
	}
	_, err = io.WriteString(stdout, res.Text(*verbose))
	return err
}

// parseInputShapes reads "1,3,48,192" (for the first input) or
// "NAME=1,3,48,192[;NAME2=...]".
func parseInputShapes(s, first string) (map[string][]int, error) {
	out := map[string][]int{}
	for _, part := range strings.Split(s, ";") {
		name := first
		if i := strings.Index(part, "="); i >= 0 {
			name, part = part[:i], part[i+1:]
		}
		var dims []int
		for _, d := range strings.Split(part, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(d))
			if err != nil || v < 0 {
				return nil, fmt.Errorf("input shape %q: dims must be non-negative integers", s)
			}
			dims = append(dims, v)
		}
		out[name] = dims
	}
	return out, nil
}
