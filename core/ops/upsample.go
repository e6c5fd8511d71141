package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// upsampleKernel implements Upsample (opsets 7 to 9; deprecated since 10,
// still written by old exporters). scales (>= 1) is an attribute in opsets
// 7-8 and an input in 9; mode nearest or linear. It behaves like Resize-10:
// asymmetric coordinates (x_orig = x/scale), nearest takes floor(x_orig),
// linear interpolates with border clamping.
func upsampleKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	opset := shapeOpset(c)
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	if opset < 7 {
		return nil, n.Errorf("Upsample before opset 7 (height_scale/width_scale) is not supported")
	}
	p := resizeParams{coord: "asymmetric", nearest: "simple"}
	if p.mode, err = n.AttrString("mode", "nearest"); err != nil {
		return nil, err
	}
	if p.mode != "nearest" && p.mode != "linear" {
		return nil, n.Errorf("unknown mode %q (want nearest or linear)", p.mode)
	}
	var scales []float64
	if opset < 9 {
		if err := shapeCheckAttrs(n, "mode", "scales"); err != nil {
			return nil, err
		}
		if !n.Has("scales") {
			return nil, n.Errorf("attribute scales is required before opset 9")
		}
		s, err := n.AttrFloats("scales", nil)
		if err != nil {
			return nil, err
		}
		for _, v := range s {
			scales = append(scales, float64(v))
		}
	} else {
		if err := shapeCheckAttrs(n, "mode"); err != nil {
			return nil, err
		}
		if scales, err = resizeFloats(n, in, 1, "scales"); err != nil {
			return nil, err
		}
		if scales == nil {
			return nil, n.Errorf("input 1 (scales) is missing")
		}
	}
	for d, s := range scales {
		if !(s >= 1) {
			return nil, n.Errorf("scale %g for axis %d is below 1", s, d)
		}
	}
	return resizeRun(c, n, x, &p, scales, nil, nil)
}
