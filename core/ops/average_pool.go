package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// averagePoolKernel is AveragePool (opsets 1-19) on float32: the mean over
// each window. The divisor counts the taps inside the input, or with
// count_include_pad=1 those inside the padded input (a ceil_mode window
// reaching past the end padding does not count the overhang).
func averagePoolKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := nnCheckAttrs(n, "auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"); err != nil {
		return nil, err
	}
	cip, err := n.AttrInt("count_include_pad", 0)
	if err != nil {
		return nil, err
	}
	if cip != 0 && cip != 1 {
		return nil, n.Errorf("count_include_pad = %d, want 0 or 1", cip)
	}
	x, w, err := nnPoolWindow(n, in)
	if err != nil {
		return nil, err
	}
	y, err := c.NewFloat32(w.outShape(x.Shape[0], x.Shape[1])...)
	if err != nil {
		return nil, n.Errorf("output: %w", err)
	}
	planes := x.Shape[0] * x.Shape[1]
	nnPoolPlanes(y.F32, x.F32, planes, &w, false)
	cnt := c.Scratch(w.out[0] + w.out[1] + w.out[2])
	nnPoolCounts(cnt, &w, cip == 1)
	cd, ch, cw := cnt[:w.out[0]], cnt[w.out[0]:w.out[0]+w.out[1]], cnt[w.out[0]+w.out[1]:]
	outVol := w.outVol()
	for p := 0; p < planes; p++ {
		yp := y.F32[p*outVol : (p+1)*outVol]
		i := 0
		for _, a := range cd {
			for _, b := range ch {
				ab := a * b
				for _, e := range cw {
					// A window with no counted tap has sum 0; leave it 0.
					if d := ab * e; d > 0 {
						yp[i] /= d
					}
					i++
				}
			}
		}
	}
	return []*tensor.Tensor{y}, nil
}
