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
	"fixq/core/onnx"
	"fixq/core/prep"
	"fixq/core/quant"
	"fixq/core/tensor"
	"fixq/core/train/finetune"
	"fixq/internal/progress"
)

func runQAT(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("qat", "MODEL.onnx --train DIR --epochs N -o OUT.onnx [flags]", stdout)
	var pf prepFlags
	pf.register(fs)
	trainDir := fs.String("train", "", "labelled training images: an ImageFolder (DIR/<class>/<image>, classes in sorted order)")
	epochs := fs.Int("epochs", 3, "training epochs; fix positions are re-derived before each and frozen for the last")
	lr := fs.Float64("lr", 0, "peak learning rate, cosine decay to 0 (default 1e-4 for adam, 1e-3 for sgd)")
	batch := fs.Int("batch", 32, "mini-batch size")
	optimizer := fs.String("optimizer", "adam", "adam or sgd")
	momentum := fs.Float64("momentum", 0, "SGD momentum (default 0.9)")
	seed := fs.Int64("seed", 0, "random seed (shuffles, calibration samples drawn from --train)")
	calib := fs.String("calib", "", "calibration data for the fix positions: images or a .npy (default: --calib-size images drawn from --train)")
	calibSize := fs.Int("calib-size", 0, "number of calibration samples (default 100)")
	method := fs.String("method", "", "activation fix_pos method: diffs (default) or maxmin")
	cle := fs.Bool("cle", false, "cross-layer equalization before training")
	config := fs.String("config", "", "quantization config JSON (overrides by op type / node name, float nodes)")
	out := fs.String("o", "", "output QDQ ONNX file")
	info := fs.String("quant-info", "", "write the quant-info JSON here (default OUT without .onnx + .quant_info.json)")
	report := fs.String("report", "", "write the report JSON here (default OUT without .onnx + .report.json)")
	quiet := fs.Bool("quiet", false, "no progress bar (the per-epoch lines stay)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *trainDir == "" || *out == "" {
		return usagef("qat: want MODEL.onnx, --train DIR and -o OUT.onnx (run fixq qat --help)")
	}
	if *epochs < 1 || *epochs > finetune.MaxQATEpochs {
		return usagef("qat: --epochs %d, want 1 to %d", *epochs, finetune.MaxQATEpochs)
	}
	if *batch < 1 || *calibSize < 0 || *lr < 0 {
		return usagef("qat: --batch must be >= 1, --lr and --calib-size >= 0")
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
	var cfg quant.Config
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err != nil {
			return err
		}
		if cfg, err = quant.ParseConfig(b); err != nil {
			return fmt.Errorf("%s: %w", *config, err)
		}
	}
	if *method != "" {
		cfg.Method = quant.Method(*method)
	}
	if *calibSize > 0 {
		cfg.CalibSize = *calibSize
	}
	cfg.CLE = cfg.CLE || *cle
	if err := cfg.Validate(); err != nil {
		return err
	}
	mb, err := os.ReadFile(model)
	if err != nil {
		return err
	}
	m, err := job.LoadModel(mb, job.Limits{})
	if err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	input, geo, _, err := job.ModelGeometry(m, po)
	if err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	data, err := loadDataset(*trainDir, true)
	if err != nil {
		return err
	}
	if data.Len() == 0 {
		return fmt.Errorf("%s: no images", *trainDir)
	}
	samples := &finetune.DatasetSamples{D: data, Opts: po, Geo: geo, Input: input}
	var calibSrc quant.BatchSource
	if *calib != "" {
		cd, err := loadDataset(*calib, false)
		if err != nil {
			return err
		}
		calibSrc = &prepSource{name: input, b: &prep.Batches{D: cd, Opts: po, Geo: geo}}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var bar *progress.Bar
	pr := func(stage string, done, total int) {
		if bar != nil && total > 0 {
			bar.Update(stage, 100*float64(done)/float64(total))
		}
	}
	if !*quiet {
		bar = progress.New(stderr)
		defer bar.Done()
	}
	opts := finetune.QATOptions{Epochs: *epochs, LR: *lr, Batch: *batch, Optimizer: *optimizer, Momentum: *momentum, Seed: *seed}
	res, err := finetune.QAT(ctx, m, samples, calibSrc, cfg, opts, pr, func(e finetune.EpochReport) {
		if bar != nil {
			bar.Done()
		}
		frozen := ""
		if e.Frozen {
			frozen = ", fix positions frozen"
		}
		fmt.Fprintf(stderr, "epoch %d/%d: loss %.4f, train top-1 %.2f%% (%d images, %s), %d fix_pos re-derived%s\n",
			e.Epoch, e.Epochs, e.Loss, 100*float64(e.Correct)/float64(max(1, e.N)), e.N, e.Duration.Round(1e8), e.FixPosChanged, frozen)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	qm, err := onnx.EncodeBytes(res.Model)
	if err != nil {
		return err
	}
	qi, err := res.Info.JSON()
	if err != nil {
		return err
	}
	rj, err := res.Report.JSON()
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		b    []byte
	}{{*out, qm}, {*info, qi}, {*report, rj}} {
		if err := os.WriteFile(f.path, f.b, 0o644); err != nil {
			return err
		}
	}
	if bar != nil {
		bar.Done()
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes), %s, %s\n", *out, len(qm), *info, *report)
	return nil
}

// prepSource adapts prep.Batches to quant.BatchSource.
type prepSource struct {
	name string
	b    *prep.Batches
}

func (s *prepSource) Next(ctx context.Context) (map[string]*tensor.Tensor, error) {
	x, _, err := s.b.Next(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]*tensor.Tensor{s.name: x}, nil
}
