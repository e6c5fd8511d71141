package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/npy"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/dpu"
)

// inputFlags collects repeated --input NAME=FILE (or FILE) values.
type inputFlags []string

func (f *inputFlags) String() string     { return strings.Join(*f, " ") }
func (f *inputFlags) Set(v string) error { *f = append(*f, v); return nil }

// executor computes a model's outputs. runRun uses runFloat; other
// back ends (the DPU-exact integer path) plug in here by choosing a
// different executor from their own flags.
type executor func(ctx context.Context, m *graph.Model, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "[--dpu [--dump DIR]] MODEL.onnx --input NAME=FILE.npy [--input ...] --out-dir DIR\n\n"+
		"Run a model in float32 and write each output to DIR/<output name>.npy\n"+
		"(characters unsafe in file names become '_'). With a one-input model,\n"+
		"--input FILE.npy needs no NAME=. Input files are only read.\n"+
		"With --dpu, MODEL.onnx is fixq's quantized (QDQ) export and runs on the\n"+
		"fixed-point DPU emulator: int8 tensors, integer kernels, bit-exact with\n"+
		"the quantizer's simulation; int8 outputs are written dequantized.", stdout)
	var inputs inputFlags
	fs.Var(&inputs, "input", "an input as NAME=FILE.npy, or FILE.npy for a one-input model (repeatable)")
	outDir := fs.String("out-dir", "", "directory for the output .npy files (created if missing)")
	useDPU := fs.Bool("dpu", false, "run the fixed-point DPU emulator on a quantized (QDQ) model")
	dump := fs.String("dump", "", "with --dpu: write every int8 tensor to DIR/<tensor>.npy and their fix positions to DIR/fix_pos.json")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run: want one MODEL.onnx, got %d arguments (run fixq run --help)", len(pos))
	}
	if *outDir == "" {
		return usagef("run: --out-dir is required")
	}
	if len(inputs) == 0 {
		return usagef("run: no --input given")
	}
	if *dump != "" && !*useDPU {
		return usagef("run: --dump needs --dpu")
	}
	m, _, err := loadModel(pos[0])
	if err != nil {
		return err
	}
	if err := onnx.CheckOpset(m); err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	feeds, files, err := readInputs(m, inputs)
	if err != nil {
		return err
	}
	exec := runFloat
	var prog *dpu.Program
	if *useDPU {
		exec = func(ctx context.Context, m *graph.Model, in map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
			p, err := dpu.Compile(m)
			if err != nil {
				return nil, err
			}
			prog = p
			return p.Run(ctx, in)
		}
	}
	outs, err := exec(context.Background(), m, feeds)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if err := writeOutputs(stdout, m, outs, *outDir, files); err != nil {
		return err
	}
	if *dump != "" {
		return writeDump(stdout, prog, *dump, files)
	}
	return nil
}

// dumpEntry is one tensor of a --dump directory's fix_pos.json.
type dumpEntry struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	FixPos int    `json:"fix_pos"`
	Shape  []int  `json:"shape"`
}

// writeDump writes every int8 tensor of the emulator's last run to dir as
// <tensor>.npy (int8, real value = q·2^-fix_pos) in computation order,
// and dir/fix_pos.json listing name, file, fix_pos and shape, the way
// Vitis AI dumps per-node fixed-point values for debugging.
func writeDump(stdout io.Writer, p *dpu.Program, dir string, inputFiles []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	used := map[string]bool{"fix_pos.json": true}
	var entries []dumpEntry
	var werr error
	p.Values(func(name string, q *tensor.Tensor, fp int) {
		if werr != nil {
			return
		}
		base := sanitizeFileName(name)
		file := base + ".npy"
		for k := 2; used[strings.ToLower(file)]; k++ {
			file = fmt.Sprintf("%s_%d.npy", base, k)
		}
		used[strings.ToLower(file)] = true
		path := filepath.Join(dir, file)
		if werr = refuseInputFile(path, inputFiles); werr != nil {
			return
		}
		if werr = writeNpy(path, q); werr != nil {
			werr = fmt.Errorf("dump %q: %w", name, werr)
			return
		}
		entries = append(entries, dumpEntry{Name: name, File: file, FixPos: fp, Shape: append([]int(nil), q.Shape...)})
	})
	if werr != nil {
		return werr
	}
	b, err := json.MarshalIndent(map[string]any{"format": "fixq-dpu-dump/1", "tensors": entries}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "fix_pos.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dumped %d int8 tensors to %s\n", len(entries), dir)
	return nil
}

// runFloat is the float32 reference executor.
func runFloat(ctx context.Context, m *graph.Model, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	s, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		return nil, err
	}
	return s.Run(ctx, inputs)
}

var _ executor = runFloat

// readInputs reads each --input, matches it to a graph input and checks
// dtype and shape. It returns the feeds and the paths read.
func readInputs(m *graph.Model, specs []string) (map[string]*tensor.Tensor, []string, error) {
	g := m.Graph
	declared := map[string]graph.ValueInfo{}
	var names []string
	for _, vi := range g.Inputs {
		declared[vi.Name] = vi
		names = append(names, vi.Name)
	}
	feeds := map[string]*tensor.Tensor{}
	from := map[string]string{}
	var files []string
	for _, spec := range specs {
		name, path := "", spec
		if i := strings.IndexByte(spec, '='); i >= 0 {
			if _, ok := declared[spec[:i]]; ok {
				name, path = spec[:i], spec[i+1:]
			} else if _, err := os.Stat(spec); err != nil {
				return nil, nil, usagef("run: --input %s: the model has no input %q (inputs: %s)", spec, spec[:i], strings.Join(names, ", "))
			}
		}
		if name == "" {
			if len(g.Inputs) != 1 {
				return nil, nil, usagef("run: --input %s: the model has %d inputs (%s); write --input NAME=FILE.npy", spec, len(g.Inputs), strings.Join(names, ", "))
			}
			name = g.Inputs[0].Name
		}
		if prev, dup := from[name]; dup {
			return nil, nil, usagef("run: input %q is given twice (%s and %s)", name, prev, path)
		}
		t, err := readNpy(path)
		if err != nil {
			return nil, nil, err
		}
		if err := engine.CheckInput(declared[name], t); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		feeds[name], from[name] = t, path
		files = append(files, path)
	}
	for _, n := range names {
		if _, ok := feeds[n]; !ok {
			return nil, nil, usagef("run: model input %q has no --input (inputs: %s)", n, strings.Join(names, ", "))
		}
	}
	return feeds, files, nil
}

func readNpy(path string) (*tensor.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := npy.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// writeOutputs writes each graph output to dir as a .npy file, refusing
// to overwrite one of the input files.
func writeOutputs(stdout io.Writer, m *graph.Model, outs map[string]*tensor.Tensor, dir string, inputFiles []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	used := map[string]bool{}
	for _, o := range m.Graph.Outputs {
		t := outs[o.Name]
		if t == nil {
			return fmt.Errorf("output %q was not computed", o.Name)
		}
		base := sanitizeFileName(o.Name)
		file := base + ".npy"
		for k := 2; used[strings.ToLower(file)]; k++ {
			file = fmt.Sprintf("%s_%d.npy", base, k)
		}
		used[strings.ToLower(file)] = true
		path := filepath.Join(dir, file)
		if err := refuseInputFile(path, inputFiles); err != nil {
			return err
		}
		if err := writeNpy(path, t); err != nil {
			return fmt.Errorf("output %q: %w", o.Name, err)
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", o.Name, t, path)
	}
	return nil
}

func refuseInputFile(path string, inputFiles []string) error {
	st, err := os.Stat(path)
	if err != nil {
		return nil // does not exist yet
	}
	for _, in := range inputFiles {
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			return fmt.Errorf("output %s would overwrite input file %s: choose another --out-dir", path, in)
		}
	}
	return nil
}

func writeNpy(path string, t *tensor.Tensor) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return npy.Write(f, t)
}

// sanitizeFileName keeps letters, digits, '-', '_' and '.'; every other
// byte becomes '_'. A leading '.' becomes '_' (no hidden files, no "..").
func sanitizeFileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok || (i == 0 && c == '.') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
