package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"fixq/core/job"
)

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", "[--dpu [--target NAME]] MODEL.onnx --data DIR [--limit N] [--json] [preprocessing flags]\n\n"+
		"With --dpu, MODEL.onnx is fixq's quantized (QDQ) export, run on the\n"+
		"fixed-point DPU emulator (integer kernels, bit-exact with the simulation).", stdout)
	var pf prepFlags
	pf.register(fs)
	data := fs.String("data", "", "labelled images: an ImageFolder (DIR/<class>/<image>, classes in sorted order)")
	limit := fs.Int("limit", 0, "evaluate at most N images (an even spread over the sorted list)")
	batch := fs.Int("batch", 0, "batch size (default 16)")
	asJSON := fs.Bool("json", false, `print {"top1":...,"n":...} on stdout`)
	useDPU := fs.Bool("dpu", false, "run the model on the fixed-point DPU emulator (quantized QDQ models)")
	target := fs.String("target", "", "with --dpu: DPU target name (default DPUCZDX8G_ISA1_B4096)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *data == "" {
		return usagef("eval: want MODEL.onnx and --data DIR (run fixq eval --help)")
	}
	po, err := pf.options()
	if err != nil {
		return err
	}
	mb, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	d, err := loadDataset(*data, true)
	if err != nil {
		return err
	}
	if *target != "" && !*useDPU {
		return usagef("eval: --target needs --dpu")
	}
	res, err := job.Evaluate(context.Background(), mb, d, job.EvaluateOptions{Preprocess: po, Limit: *limit, BatchSize: *batch,
		DPU: *useDPU, Target: *target}, job.Limits{}, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "top-1 %.2f%%", 100*res.Top1)
	if res.Classes > 5 {
		fmt.Fprintf(stdout, ", top-5 %.2f%%", 100*res.Top5)
	}
	fmt.Fprintf(stdout, " on %d images, %d classes", res.N, res.Classes)
	if res.Backend != "" {
		fmt.Fprintf(stdout, " (%s)", res.Backend)
	}
	fmt.Fprintln(stdout)
	return nil
}
