package ops

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// batchNormalizationKernel is BatchNormalization in inference mode
// (opsets 1-15): Y = (X - mean) / sqrt(var + epsilon) * scale + B per
// channel (axis 1). With spatial=0 (opsets < 9) the four parameters have
// shape [C, D1, ...] and apply per element of a sample. Training (opset
// 14+ training_mode=1, or asking for the optional statistics outputs) is
// refused. momentum, consumed_inputs and is_test are accepted and have no
// effect in inference, as in onnxruntime.
func batchNormalizationKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := nnCheckAttrs(n, "epsilon", "momentum", "spatial", "training_mode", "is_test", "consumed_inputs"); err != nil {
		return nil, err
	}
	if len(in) != 5 {
		return nil, n.Errorf("has %d inputs, want 5 (X, scale, B, input_mean, input_var)", len(in))
	}
	tm, err := n.AttrInt("training_mode", 0)
	if err != nil {
		return nil, err
	}
	if tm != 0 {
		return nil, n.Errorf("training_mode=%d is not supported: only inference (training_mode=0) is", tm)
	}
	for i, o := range n.Outputs {
		if i > 0 && o != "" {
			return nil, n.Errorf("output %d (%q) is a training statistic; only inference (one output, Y) is supported", i, o)
		}
	}
	eps, err := n.AttrFloat("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	spatial, err := n.AttrInt("spatial", 1)
	if err != nil {
		return nil, err
	}
	if spatial != 0 && spatial != 1 {
		return nil, n.Errorf("spatial = %d, want 0 or 1", spatial)
	}
	x, err := nnFloatInput(n, in, 0, "X", 2)
	if err != nil {
		return nil, err
	}
	// per is how many consecutive X values share one parameter index,
	// params the number of parameter values.
	chans, inner := x.Shape[1], nnProd(x.Shape[2:])
	per, params, want := inner, chans, []int{chans}
	if spatial == 0 {
		per, params, want = 1, chans*inner, x.Shape[1:]
	}
	var p [4][]float32
	for i, name := range []string{"scale", "B", "input_mean", "input_var"} {
		t, err := nnFloatInput(n, in, i+1, name, 1)
		if err != nil {
			return nil, err
		}
		if !tensor.SameShape(t.Shape, want) {
			return nil, n.Errorf("input %d (%s) has shape %v, want %v", i+1, name, t.Shape, want)
		}
		p[i] = t.F32
	}
	y, err := c.NewFloat32(x.Shape...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	// Fold into Y = X*a + b per parameter index.
	ab := c.Scratch(2 * params)
	a, b := ab[:params], ab[params:]
	for i := range a {
		s := float64(p[0][i]) / math.Sqrt(float64(p[3][i])+float64(eps))
		a[i] = float32(s)
		b[i] = float32(float64(p[1][i]) - float64(p[2][i])*s)
	}
	for s := 0; s < x.Shape[0]; s++ {
		for i := 0; i < params; i++ {
			off := (s*params + i) * per
			ai, bi := a[i], b[i]
			ewAffine(y.F32[off:off+per], x.F32[off:off+per], ai, bi)
		}
	}
	return []*tensor.Tensor{y}, nil
}
