package quant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Empirical bias correction (Nagel et al. 2019, arXiv:1906.04721, §4.2
// and appendix D, "empirical bias correction").
//
// Rounding the weights of a layer changes its expected output: with
// ΔW = W_q - W, E[W_q·x + b] = E[W·x + b] + ΔW·E[x] per output channel,
// and the shift passes down the network. For every quantized Conv and Gemm
// with a bias, correctBiases measures E[x] on the calibration data as the
// layer sees it in the quantized model (x is the layer's quantized input,
// computed by the simulator from the quantized prefix), computes the
// expected shift ΔW·E[x] exactly from those means, and sets the float bias
// to b - ΔW·E[x], so that the quantized layer's expected output is the
// float layer's on the same inputs. The bias is then re-quantized (std
// round) at its fix_pos, or, if the corrected bias no longer fits, at the
// position that fits, never so low that shift_bias = fw+fi-fb exceeds 16
// (§2.2); a fix_pos that rises is not needed because the search is not
// repeated, so shift_bias never drops below its lower bound either.
//
// E[x] for a Conv is, per input channel and kernel tap (kh, kw), the mean
// over all output positions of the input value that tap reads (0 where it
// falls on padding), so ΔW·E[x] is the mean of the conv of x with ΔW
// without running it. All layers are corrected together, from one pass
// over the calibration data, and then once more from a second pass:
// the first pass sees every layer's input through the uncorrected prefix,
// which differs from the corrected one by the shifts being removed; the
// second pass measures E[x] through the corrected prefix, leaving a
// third-order residue instead of a second-order one (the paper corrects
// layer by layer, one pass per layer, which costs as many passes as
// layers).
//
// Not corrected (with a warning): layers without a bias input
// (adding one would change the graph), ConvTranspose, MatMul, convs with
// more than two spatial dims.

// bcLayer accumulates the input means of one conv-like node.
type bcLayer struct {
	np *NodePlan
	// Conv geometry.
	group, oc, icg, kh, kw int
	sh, sw, dh, dw         int
	ph, pw, phEnd, pwEnd   int // pads: begin and end
	autoPad                string
	gemm, gemmT            bool
	sum                    []float64 // [ic][kh][kw], or [k] for Gemm
	count                  float64
	err                    error
	// bias and fixPos are the float bias and its fix_pos before correction.
	bias   []float32
	fixPos int
}

// bcPasses is the number of passes over the calibration data.
const bcPasses = 2

// correctBiases is the bias-correction hook (Config.BiasCorrection): it
// runs after calibration and the fix_pos repairs, with the final
// simulator. It replaces the float biases it corrects in m (new tensors,
// not in place), re-quantizes them and refreshes the simulator. r replays
// the calibration data.
func correctBiases(ctx context.Context, m *graph.Model, s *Simulator, r *batchReader) ([]string, error) {
	p := s.plan
	g := m.Graph
	var warns []string
	byInput := map[string][]*bcLayer{}
	var layers []*bcLayer
	for _, np := range p.Nodes {
		if np.role != roleConvLike {
			continue
		}
		n := np.Node
		l, why := newBCLayer(g, np)
		if why != "" {
			warns = append(warns, fmt.Sprintf("node %q (%s): bias correction skipped: %s", n.Name, n.OpType, why))
			continue
		}
		if p.byTensor[np.Input] == nil {
			warns = append(warns, fmt.Sprintf("node %q (%s): bias correction skipped: input %q is not quantized", n.Name, n.OpType, np.Input))
			continue
		}
		l.bias, l.fixPos = g.Initializers[np.Bias].F32, p.byTensor[np.Bias].FixPos
		byInput[np.Input] = append(byInput[np.Input], l)
		layers = append(layers, l)
	}
	if len(layers) == 0 {
		return warns, nil
	}
	defer func() { s.capture = nil }()
	for pass := 0; pass < bcPasses; pass++ {
		if pass > 0 {
			var err error
			if r, err = r.replay(); err != nil {
				return nil, err
			}
		}
		w, err := correctPass(ctx, m, s, r, byInput, layers)
		if err != nil {
			return nil, err
		}
		if pass == bcPasses-1 {
			warns = append(warns, w...)
		}
	}
	return warns, nil
}

// correctPass measures every layer's input means over one pass of r and
// sets the corrected biases.
func correctPass(ctx context.Context, m *graph.Model, s *Simulator, r *batchReader, byInput map[string][]*bcLayer, layers []*bcLayer) ([]string, error) {
	p, g := s.plan, m.Graph
	var warns []string
	for _, l := range layers {
		clear(l.sum)
		l.count, l.err = 0, nil
	}
	s.capture = func(pt *Point, t *tensor.Tensor) {
		for _, l := range byInput[pt.Tensor] {
			if l.err == nil {
				l.err = l.add(t)
			}
		}
	}
	for {
		b, _, err := r.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if _, err := s.Run(ctx, b); err != nil {
			return nil, err
		}
	}
	for _, l := range layers {
		if l.err != nil {
			return nil, l.err
		}
		if w := l.correct(p, g); w != "" {
			warns = append(warns, w)
		}
	}
	p.quantizeParams(g)
	s.refreshParams(m)
	return warns, nil
}

// newBCLayer reads a conv-like node's geometry, or says why it is skipped.
func newBCLayer(g *graph.Graph, np *NodePlan) (*bcLayer, string) {
	n := np.Node
	if np.Bias == "" {
		return nil, "no bias input"
	}
	w, b := g.Initializers[np.Weight], g.Initializers[np.Bias]
	l := &bcLayer{np: np}
	switch n.OpType {
	case "Gemm":
		tb, _ := n.AttrInt("transB", 0)
		l.gemm, l.gemmT = true, tb != 0
		l.oc = w.Shape[1]
		if l.gemmT {
			l.oc = w.Shape[0]
		}
		l.sum = make([]float64, len(w.F32)/l.oc)
	case "Conv":
		if w.Rank() != 4 {
			return nil, fmt.Sprintf("weight rank %d (only 2-D convs)", w.Rank())
		}
		grp, _ := n.AttrInt("group", 1)
		l.group, l.oc, l.icg, l.kh, l.kw = int(grp), w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
		if l.group < 1 || l.oc%l.group != 0 {
			return nil, "bad group"
		}
		st, _ := n.AttrInts("strides", []int64{1, 1})
		dl, _ := n.AttrInts("dilations", []int64{1, 1})
		pads, _ := n.AttrInts("pads", []int64{0, 0, 0, 0})
		if len(st) != 2 || len(dl) != 2 || len(pads) != 4 {
			return nil, "strides, dilations or pads not 2-D"
		}
		l.sh, l.sw, l.dh, l.dw = int(st[0]), int(st[1]), int(dl[0]), int(dl[1])
		l.ph, l.pw, l.phEnd, l.pwEnd = int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3])
		l.autoPad, _ = n.AttrString("auto_pad", "NOTSET")
		l.sum = make([]float64, l.icg*l.group*l.kh*l.kw)
	default:
		return nil, "only Conv and Gemm"
	}
	if b == nil || len(b.F32) != l.oc {
		return nil, "bias does not have one value per output channel"
	}
	return l, ""
}

// add accumulates a batch of the layer's quantized input.
func (l *bcLayer) add(x *tensor.Tensor) error {
	n := l.np.Node
	if x.DType != tensor.Float32 {
		return n.Errorf("bias correction: input is %v", x.DType)
	}
	if l.gemm {
		k := len(l.sum)
		if x.Rank() != 2 || x.Shape[1] != k {
			return n.Errorf("bias correction: input shape %v, want [N,%d]", x.Shape, k)
		}
		for i, v := range x.F32 {
			l.sum[i%k] += float64(v)
		}
		l.count += float64(x.Shape[0])
		return nil
	}
	ic := l.icg * l.group
	if x.Rank() != 4 || x.Shape[1] != ic {
		return n.Errorf("bias correction: input shape %v, want [N,%d,H,W]", x.Shape, ic)
	}
	N, H, W := x.Shape[0], x.Shape[2], x.Shape[3]
	oh, ph := convOut(H, l.kh, l.sh, l.dh, l.ph, l.phEnd, l.autoPad)
	ow, pw := convOut(W, l.kw, l.sw, l.dw, l.pw, l.pwEnd, l.autoPad)
	if oh <= 0 || ow <= 0 {
		return n.Errorf("bias correction: empty output for input %v", x.Shape)
	}
	// valid output range of a tap: 0 <= o·s + k·d - p < size.
	span := func(k, s, d, p, size, out int) (int, int) {
		lo := max(0, ceilDiv(p-k*d, s))
		hi := min(out-1, floorDiv(size-1+p-k*d, s))
		return lo, hi
	}
	for b := 0; b < N; b++ {
		for c := 0; c < ic; c++ {
			plane := x.F32[(b*ic+c)*H*W : (b*ic+c+1)*H*W]
			for i := 0; i < l.kh; i++ {
				y0, y1 := span(i, l.sh, l.dh, ph, H, oh)
				for j := 0; j < l.kw; j++ {
					x0, x1 := span(j, l.sw, l.dw, pw, W, ow)
					s := 0.0
					for y := y0; y <= y1; y++ {
						row := plane[(y*l.sh+i*l.dh-ph)*W:]
						for xo := x0; xo <= x1; xo++ {
							s += float64(row[xo*l.sw+j*l.dw-pw])
						}
					}
					l.sum[(c*l.kh+i)*l.kw+j] += s
				}
			}
		}
	}
	l.count += float64(N * oh * ow)
	return nil
}

// correct sets the corrected bias and its fix_pos; it returns a warning
// when the corrected bias saturates.
func (l *bcLayer) correct(p *Plan, g *graph.Graph) string {
	np := l.np
	if l.count == 0 {
		return fmt.Sprintf("node %q (%s): bias correction skipped: the layer never ran", np.Node.Name, np.Node.OpType)
	}
	wpt, bpt := p.byTensor[np.Weight], p.byTensor[np.Bias]
	w, b := g.Initializers[np.Weight], g.Initializers[np.Bias]
	nb := &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), b.Shape...), F32: make([]float32, len(b.F32))}
	orig := l.bias
	dw := func(i int) float64 { return DequantizeValue(wpt.Q[i], wpt.FixPos) - float64(w.F32[i]) }
	for o := 0; o < l.oc; o++ {
		shift := 0.0
		switch {
		case l.gemm && l.gemmT: // B [oc, K]
			k := len(l.sum)
			for i := 0; i < k; i++ {
				shift += dw(o*k+i) * l.sum[i]
			}
		case l.gemm: // B [K, oc]
			for i := range l.sum {
				shift += dw(i*l.oc+o) * l.sum[i]
			}
		default:
			grp := o / (l.oc / l.group)
			per := l.icg * l.kh * l.kw
			for i := 0; i < per; i++ {
				shift += dw(o*per+i) * l.sum[grp*per+i]
			}
		}
		nb.F32[o] = float32(float64(orig[o]) - shift/l.count)
	}
	g.SetInitializer(np.Bias, nb)
	// Keep the fix_pos unless the correction moved the bias range past a
	// power of two; then lower it by as much as the non-overflow position
	// moved, but keep shift_bias <= 16 (§2.2).
	fp := l.fixPos
	if d := MaxMinFixPos(orig) - MaxMinFixPos(nb.F32); d > 0 {
		fi, _ := p.fixPos(np.Input)
		fp = max(fp-d, wpt.FixPos+fi-MaxShiftBias)
	}
	bpt.FixPos = fp
	// The diffs search may have chosen a fix_pos at which a few biases
	// saturate; warn only when the correction saturates more of them.
	if was, now := saturated(orig, l.fixPos), saturated(nb.F32, fp); now > was {
		return fmt.Sprintf("node %q (%s): bias correction: %d corrected bias values saturate at fix_pos %d (%d before correction; shift_bias <= 16, §2.2)", np.Node.Name, np.Node.OpType, now, fp, was)
	}
	return ""
}

// saturated counts the values outside the int8 range at fix_pos fp.
func saturated(v []float32, fp int) int {
	n := 0
	for _, x := range v {
		if q := math.Round(float64(x) * math.Ldexp(1, fp)); q > QMax || q < QMin {
			n++
		}
	}
	return n
}

// convOut gives a conv's output size along one axis and its leading pad.
func convOut(size, k, s, d, pad, padEnd int, autoPad string) (out, lead int) {
	ext := (k-1)*d + 1
	switch autoPad {
	case "SAME_UPPER", "SAME_LOWER":
		out = (size + s - 1) / s
		total := max(0, (out-1)*s+ext-size)
		lead = total / 2
		if autoPad == "SAME_LOWER" {
			lead = total - total/2
		}
		return out, lead
	case "VALID":
		return (size-ext)/s + 1, 0
	}
	return floorDiv(size+pad+padEnd-ext, s) + 1, pad
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

// withOwnInitializers returns a shallow copy of m whose graph has its own
// initializer map, so replacing an initializer in m leaves the copy as it
// was.
func withOwnInitializers(m *graph.Model) *graph.Model {
	c := *m
	g := *m.Graph
	g.Initializers = maps.Clone(m.Graph.Initializers)
	g.InitializerOrder = slices.Clone(m.Graph.InitializerOrder)
	c.Graph = &g
	return &c
}
