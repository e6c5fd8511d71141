package job

import (
	"context"

	"fixq/core/graph"
	"fixq/core/tensor"
	"fixq/dpu"
)

// runner computes a model's outputs (a float session or the DPU emulator).
type runner func(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)

// dpuRunner compiles a QDQ model for the fixed-point DPU emulator. The
// target is checked (an unknown name lists the known ones) and named in
// the backend string; the emulator's arithmetic is the same on every
// DPUCZDX8G size (see the dpu package doc, "Emulator").
func dpuRunner(m *graph.Model, target string) (runner, string, error) {
	t, err := dpu.LookupTarget(target)
	if err != nil {
		return nil, "", err
	}
	p, err := dpu.Compile(m)
	if err != nil {
		return nil, "", err
	}
	return p.Run, "dpu-emulator " + t.Name, nil
}
