package train

import (
	"math"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Elementwise activations: the DPU forms (§3) of the quantized forward
// pass and every activation's backward pass. Each backward reads the
// activation's input x and adds dy·f'(x) to dx.

// Constants of §3.1-§3.3.
const (
	leakySlopeDPU = 26.0 / 256
	hsigMul       = 2731.0 / 16384 // 1/6 on the DPU
	hswishInnerFP = 7              // fix_pos of hard-swish's inner sigmoid
)

// hardSigmoidDPU is relu6(x+3)·2731/2^14 (§3.2).
func hardSigmoidDPU(x float64) float64 { return min(max(x+3, 0), 6) * hsigMul }

// hardSwishInner is hard-swish's inner factor, hardSigmoidDPU(x)
// quantized at fix_pos 7 with DPU_ROUND and saturation (§3.3).
func hardSwishInner(x float64) float64 {
	return fakeQuantValue(hardSigmoidDPU(x), hswishInnerFP, RoundDPU)
}

// approxForward returns the forward function of an approximated
// elementwise node, or nil (the node runs its core/ops kernel).
func approxForward(a Approx, opType string) func(dst, src []float32) {
	switch {
	case a == ApproxLeakyRelu && opType == "LeakyRelu":
		return func(d, x []float32) {
			for i, v := range x[:len(d)] {
				if v < 0 {
					d[i] = float32(float64(v) * leakySlopeDPU)
				} else {
					d[i] = v
				}
			}
		}
	case a == ApproxHardSigmoid && opType == "HardSigmoid":
		return func(d, x []float32) {
			for i, v := range x[:len(d)] {
				d[i] = float32(hardSigmoidDPU(float64(v)))
			}
		}
	case a == ApproxHardSwish && opType == "HardSwish":
		return func(d, x []float32) {
			for i, v := range x[:len(d)] {
				d[i] = float32(float64(v) * hardSwishInner(float64(v)))
			}
		}
	}
	return nil
}

// ownForward returns this package's forward function for an elementwise
// node, or nil (the node runs its core/ops kernel): the DPU
// approximations, and Relu and Clip, whose loops here are simpler (and
// several times faster) than the general kernels. Only float32 inputs.
func (net *Net) ownForward(s *step) (func(dst, src []float32), error) {
	if len(s.ins) == 0 || s.ins[0] == nil || s.ins[0].DType != tensor.Float32 {
		return nil, nil
	}
	if f := approxForward(s.approx.Approx, s.node.OpType); f != nil {
		return f, nil
	}
	switch s.node.OpType {
	case "Relu":
		return func(d, x []float32) {
			for i, v := range x[:len(d)] {
				d[i] = max(v, 0)
			}
		}, nil
	case "Clip":
		lo, hi, err := clipRange(net, s)
		if err != nil || lo > hi || lo != lo || hi != hi {
			return nil, nil // the kernel reports or handles it
		}
		return func(d, x []float32) {
			for i, v := range x[:len(d)] {
				if v < lo {
					v = lo
				} else if v > hi {
					v = hi
				}
				d[i] = v
			}
		}, nil
	}
	return nil, nil
}

// unaryArgs returns x, dy and dx of a one-input node (dx nil: no
// gradient needed).
func unaryArgs(net *Net, s *step) (x *tensor.Tensor, dy, dx []float32, err error) {
	x = net.vals[s.in[0]]
	if x == nil || x.DType != tensor.Float32 {
		return nil, nil, nil, s.node.Errorf("train: input is not float32")
	}
	dy = net.grads[s.out[0]]
	dx = net.gradFor(s, 0)
	if dx != nil && (len(dx) != len(x.F32) || len(dy) != len(x.F32)) {
		return nil, nil, nil, s.node.Errorf("train: gradient sizes %d, %d for an input of %d", len(dy), len(dx), len(x.F32))
	}
	return x, dy, dx, nil
}

func reluBackward(net *Net, s *step) error {
	x, dy, dx, err := unaryArgs(net, s)
	if err != nil || dx == nil {
		return err
	}
	for i, v := range x.F32 {
		if v > 0 {
			dx[i] += dy[i]
		}
	}
	return nil
}

// clipRange reads a Clip's bounds: attributes before opset 11, optional
// inputs 1 and 2 after.
func clipRange(net *Net, s *step) (lo, hi float32, err error) {
	lo, hi = -math.MaxFloat32, math.MaxFloat32
	n := s.node
	if net.ctx.Opset < 11 {
		if lo, err = n.AttrFloat("min", lo); err != nil {
			return
		}
		hi, err = n.AttrFloat("max", hi)
		return
	}
	for j, dst := range []*float32{&lo, &hi} {
		if j+1 >= len(s.in) || s.in[j+1] < 0 {
			continue
		}
		t := net.vals[s.in[j+1]]
		if t == nil || t.DType != tensor.Float32 || len(t.F32) != 1 {
			return 0, 0, n.Errorf("train: Clip bound %d is not a float32 scalar", j+1)
		}
		*dst = t.F32[0]
	}
	return lo, hi, nil
}

func clipBackward(net *Net, s *step) error {
	x, dy, dx, err := unaryArgs(net, s)
	if err != nil || dx == nil {
		return err
	}
	lo, hi, err := clipRange(net, s)
	if err != nil {
		return err
	}
	for i, v := range x.F32 {
		if v > lo && v < hi {
			dx[i] += dy[i]
		}
	}
	return nil
}

func leakyReluBackward(net *Net, s *step) error {
	x, dy, dx, err := unaryArgs(net, s)
	if err != nil || dx == nil {
		return err
	}
	alpha, err := s.node.AttrFloat("alpha", 0.01)
	if err != nil {
		return err
	}
	a := float64(alpha)
	if s.approx.Approx == ApproxLeakyRelu {
		a = leakySlopeDPU
	}
	for i, v := range x.F32 {
		if v > 0 {
			dx[i] += dy[i]
		} else {
			dx[i] += float32(float64(dy[i]) * a)
		}
	}
	return nil
}

func hardSigmoidBackward(net *Net, s *step) error {
	x, dy, dx, err := unaryArgs(net, s)
	if err != nil || dx == nil {
		return err
	}
	if s.approx.Approx == ApproxHardSigmoid {
		for i, v := range x.F32 {
			if v > -3 && v < 3 {
				dx[i] += float32(float64(dy[i]) * hsigMul)
			}
		}
		return nil
	}
	alpha, beta, err := hardSigmoidAttrs(s.node)
	if err != nil {
		return err
	}
	for i, v := range x.F32 {
		if u := alpha*v + beta; u > 0 && u < 1 {
			dx[i] += dy[i] * alpha
		}
	}
	return nil
}

func hardSigmoidAttrs(n *graph.Node) (alpha, beta float32, err error) {
	if alpha, err = n.AttrFloat("alpha", 0.2); err != nil {
		return
	}
	beta, err = n.AttrFloat("beta", 0.5)
	return
}

func hardSwishBackward(net *Net, s *step) error {
	x, dy, dx, err := unaryArgs(net, s)
	if err != nil || dx == nil {
		return err
	}
	dpu := s.approx.Approx == ApproxHardSwish
	for i, v := range x.F32 {
		xv := float64(v)
		var h, dh float64
		if dpu {
			// d/dx of x·q7(hsig(x)): q7 passes the gradient (STE) where
			// hsig(x)·2^7 is inside the int8 range.
			h = hardSwishInner(xv)
			if xv > -3 && xv < 3 && hardSigmoidDPU(xv)*(1<<hswishInnerFP) <= qMax {
				dh = hsigMul
			}
		} else {
			h = min(max(xv/6+0.5, 0), 1)
			if xv > -3 && xv < 3 {
				dh = 1.0 / 6
			}
		}
		dx[i] += float32(float64(dy[i]) * (h + xv*dh))
	}
	return nil
}

func sigmoidBackward(net *Net, s *step) error {
	_, dy, dx, err := unaryArgs(net, s)
	if err != nil || dx == nil {
		return err
	}
	y := net.vals[s.out[0]]
	for i, v := range y.F32 {
		dx[i] += dy[i] * v * (1 - v)
	}
	return nil
}

// identityBackward serves every op whose output holds its input's
// elements in the same order: Reshape, Flatten, Squeeze, Unsqueeze,
// Identity, Dropout (inference).
func identityBackward(net *Net, s *step) error {
	dx := net.gradFor(s, 0)
	if dx == nil {
		return nil
	}
	dy := net.grads[s.out[0]]
	if len(dy) != len(dx) {
		return s.node.Errorf("train: gradient of %d elements for an input of %d", len(dy), len(dx))
	}
	for i, v := range dy {
		dx[i] += v
	}
	return nil
}

// backwardFor returns the backward pass of an op type, or nil.
func backwardFor(opType string) func(*Net, *step) error {
	switch opType {
	case "Conv":
		return convBackward
	case "Gemm":
		return gemmBackward
	case "MatMul":
		return matMulBackward
	case "Relu":
		return reluBackward
	case "Clip":
		return clipBackward
	case "LeakyRelu":
		return leakyReluBackward
	case "HardSigmoid":
		return hardSigmoidBackward
	case "HardSwish":
		return hardSwishBackward
	case "Sigmoid":
		return sigmoidBackward
	case "Add", "Sub", "Mul", "Div":
		return binaryBackward
	case "MaxPool":
		return maxPoolBackward
	case "AveragePool":
		return averagePoolBackward
	case "GlobalAveragePool":
		return globalAveragePoolBackward
	case "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout":
		return identityBackward
	case "Concat":
		return concatBackward
	case "Softmax":
		return softmaxBackward
	}
	return nil
}
