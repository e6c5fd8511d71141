package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"fixq/core/job"
	"fixq/internal/progress"
)

func runQuantize(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("quantize", "MODEL.onnx --calib PATH -o OUT.onnx [flags]", stdout)
	var pf prepFlags
	pf.register(fs)
	calib := fs.String("calib", "", "calibration data: a folder of images (PNG/JPEG, any size) or a .npy [N,...]")
	calibSize := fs.Int("calib-size", 0, "number of calibration samples (default 100)")
	method := fs.String("method", "", "activation fix_pos method: diffs (default, MSE search) or maxmin")
	cle := fs.Bool("cle", false, "cross-layer equalization before calibration")
	biasCorr := fs.Bool("bias-corr", false, "empirical bias correction after calibration")
	fastFT := fs.Bool("fast-finetune", false, "fast fine-tuning (AdaQuant) on the calibration set")
	seed := fs.Int64("seed", 0, "random seed for fast fine-tuning")
	ftIters := fs.Int("ft-iterations", 0, "fast fine-tuning: Adam iterations per layer (default 300)")
	ftLR := fs.Float64("ft-lr", 0, "fast fine-tuning: learning rate in quantization steps (default 0.05)")
	ftBatch := fs.Int("ft-batch", 0, "fast fine-tuning: calibration samples per iteration (default 16)")
	batch := fs.Int("batch", 0, "calibration batch size (default 16)")
	skipBad := fs.Bool("skip-bad-images", false, "skip images that fail to decode (named in a warning) instead of failing")
	config := fs.String("config", "", "quantization config JSON (overrides by op type / node name, float nodes)")
	out := fs.String("o", "", "output QDQ ONNX file")
	info := fs.String("quant-info", "", "write the quant-info JSON here (default OUT without .onnx + .quant_info.json)")
	report := fs.String("report", "", "write the report JSON here (default OUT without .onnx + .report.json)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	target := fs.String("target", "", "DPU target for the report's Inspector summary and latency estimate (default DPUCZDX8G_ISA1_B4096)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *calib == "" || *out == "" {
		return usagef("quantize: want MODEL.onnx, --calib PATH and -o OUT.onnx (run fixq quantize --help)")
	}
	if (*ftIters != 0 || *ftLR != 0 || *ftBatch != 0) && !*fastFT && *config == "" {
		return usagef("quantize: --ft-iterations, --ft-lr and --ft-batch tune --fast-finetune, which is not on")
	}
	model := pos[0]
	if same(model, *out) {
		return fmt.Errorf("-o %s would overwrite the input model", *out)
	}
	base := strings.TrimSuffix(*out, filepath.Ext(*out))
	if *info == "" {
		*info = base + ".quant_info.json"
	}
	if *report == "" {
		*report = base + ".report.json"
	}
	po, err := pf.options()
	if err != nil {
		return err
	}
	opts := job.QuantizeOptions{Method: *method, CalibSize: *calibSize, BatchSize: *batch, CLE: *cle, BiasCorrection: *biasCorr,
		FastFinetune: *fastFT, Seed: *seed, FinetuneIterations: *ftIters, FinetuneLR: *ftLR, FinetuneBatch: *ftBatch,
		Preprocess: po, SkipBadImages: *skipBad, Target: *target}
	if *config != "" {
		if opts.Config, err = os.ReadFile(*config); err != nil {
			return err
		}
	}
	mb, err := os.ReadFile(model)
	if err != nil {
		return err
	}
	data, err := loadDataset(*calib, false)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var pr job.Progress
	if !*quiet {
		bar := progress.New(stderr)
		defer bar.Done()
		pr = bar.Update
	}
	res, err := job.Quantize(ctx, job.QuantizeRequest{Model: mb, Calib: data, Options: opts}, job.Limits{}, pr)
	if err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	for _, f := range []struct {
		path string
		b    []byte
	}{{*out, res.Model}, {*info, res.QuantInfo}, {*report, res.Report}} {
		if err := os.WriteFile(f.path, f.b, 0o644); err != nil {
			return err
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes), %s, %s\n", *out, len(res.Model), *info, *report)
	return nil
}

// same reports whether two paths name the same existing file.
func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
