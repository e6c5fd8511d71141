package train

// poolWindow returns the step's (cached) window for a 4-D input.
func poolWindow(s *step, shape []int) (*window, error) {
	if len(shape) != 4 {
		return nil, s.node.Errorf("train: backward supports 2-D pools only (input %v)", shape)
	}
	key := [4]int{shape[2], shape[3], -1, -1}
	if s.winKey != key || s.win.kH == 0 {
		w, err := readWindow(s.node, shape[2], shape[3], nil, true)
		if err != nil {
			return nil, err
		}
		s.win, s.winKey = w, key
	}
	return &s.win, nil
}

// maxPoolBackward routes each output's gradient to the first tap (in
// kernel order) that holds the window's maximum.
func maxPoolBackward(net *Net, s *step) error {
	dx := net.gradFor(s, 0)
	if dx == nil {
		return nil
	}
	x, y := net.vals[s.in[0]], net.vals[s.out[0]]
	w, err := poolWindow(s, x.Shape)
	if err != nil {
		return err
	}
	planes := x.Shape[0] * x.Shape[1]
	inVol, outVol := w.inH*w.inW, w.outH*w.outW
	if len(y.F32) != planes*outVol {
		return s.node.Errorf("train: output %v does not match the window", y.Shape)
	}
	dy := net.grads[s.out[0]]
	for p := 0; p < planes; p++ {
		xp, dxp := x.F32[p*inVol:(p+1)*inVol], dx[p*inVol:(p+1)*inVol]
		for oh := 0; oh < w.outH; oh++ {
			for ow := 0; ow < w.outW; ow++ {
				o := p*outVol + oh*w.outW + ow
				best := y.F32[o]
				found := false
				for kh := 0; kh < w.kH && !found; kh++ {
					ih := oh*w.sH - w.padT + kh*w.dH
					if ih < 0 || ih >= w.inH {
						continue
					}
					for kw := 0; kw < w.kW; kw++ {
						iw := ow*w.sW - w.padL + kw*w.dW
						if iw < 0 || iw >= w.inW {
							continue
						}
						if xp[ih*w.inW+iw] == best {
							dxp[ih*w.inW+iw] += dy[o]
							found = true
							break
						}
					}
				}
			}
		}
	}
	return nil
}

// averagePoolBackward spreads each output's gradient (times the DPU gain
// when approximated) evenly over the taps its divisor counted.
func averagePoolBackward(net *Net, s *step) error {
	dx := net.gradFor(s, 0)
	if dx == nil {
		return nil
	}
	x := net.vals[s.in[0]]
	w, err := poolWindow(s, x.Shape)
	if err != nil {
		return err
	}
	cip, err := s.node.AttrInt("count_include_pad", 0)
	if err != nil {
		return err
	}
	gain := 1.0
	if s.approx.Approx == ApproxAvgPool {
		gain = s.approx.Gain
	}
	count := func(o, stride, pad, k, dil, in, padEnd int) int {
		lo, hi := 0, in
		if cip == 1 {
			lo, hi = -pad, in+padEnd
		}
		c := 0
		for t := 0; t < k; t++ {
			if i := o*stride - pad + t*dil; i >= lo && i < hi {
				c++
			}
		}
		return c
	}
	planes := x.Shape[0] * x.Shape[1]
	inVol, outVol := w.inH*w.inW, w.outH*w.outW
	dy := net.grads[s.out[0]]
	if len(dy) != planes*outVol {
		return s.node.Errorf("train: output gradient does not match the window")
	}
	for oh := 0; oh < w.outH; oh++ {
		ch := count(oh, w.sH, w.padT, w.kH, w.dH, w.inH, w.padB)
		for ow := 0; ow < w.outW; ow++ {
			cw := count(ow, w.sW, w.padL, w.kW, w.dW, w.inW, w.padR)
			if ch*cw == 0 {
				continue
			}
			f := float32(gain / float64(ch*cw))
			for p := 0; p < planes; p++ {
				g := dy[p*outVol+oh*w.outW+ow] * f
				dxp := dx[p*inVol : (p+1)*inVol]
				for kh := 0; kh < w.kH; kh++ {
					ih := oh*w.sH - w.padT + kh*w.dH
					if ih < 0 || ih >= w.inH {
						continue
					}
					for kw := 0; kw < w.kW; kw++ {
						iw := ow*w.sW - w.padL + kw*w.dW
						if iw >= 0 && iw < w.inW {
							dxp[ih*w.inW+iw] += g
						}
					}
				}
			}
		}
	}
	return nil
}

// globalAveragePoolBackward: dX[n,c,·] += dY[n,c]·gain/(spatial size).
func globalAveragePoolBackward(net *Net, s *step) error {
	dx := net.gradFor(s, 0)
	if dx == nil {
		return nil
	}
	x := net.vals[s.in[0]]
	if x.Rank() < 3 {
		return s.node.Errorf("train: input %v has no spatial dims", x.Shape)
	}
	planes := x.Shape[0] * x.Shape[1]
	vol := len(x.F32) / max(1, planes)
	gain := 1.0
	if s.approx.Approx == ApproxAvgPool {
		gain = s.approx.Gain
	}
	f := float32(gain / float64(vol))
	dy := net.grads[s.out[0]]
	if len(dy) != planes {
		return s.node.Errorf("train: output gradient has %d elements, want %d", len(dy), planes)
	}
	for p := 0; p < planes; p++ {
		g := dy[p] * f
		for i := range dx[p*vol : (p+1)*vol] {
			dx[p*vol+i] += g
		}
	}
	return nil
}
