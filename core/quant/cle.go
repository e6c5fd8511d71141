package quant

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// ErrNotImplemented is returned for requested features not built yet.
var ErrNotImplemented = errors.New("not implemented yet")

// Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization
// Through Weight Equalization and Bias Correction", arXiv:1906.04721, §4.1).
//
// For a pair head -> f -> tail, where f is positively homogeneous per
// channel (f(s·x) = s·f(x) for s > 0: ReLU, LeakyReLU, max and average
// pooling, flatten), dividing the head's output channel i (weights and
// bias) by s_i and multiplying the tail's input channel i by s_i keeps the
// function. s_i = sqrt(r1_i/r2_i), with r1_i the range max|W| of the head's
// output channel i and r2_i that of the tail's input channel i, makes both
// ranges sqrt(r1_i·r2_i), which maximises the product of the two layers'
// per-channel precisions under per-tensor quantization (paper §4.1 and
// appendix A). A depthwise conv is both the tail of one pair and the head
// of the next: its channel scale passes through. Pairs are swept in graph
// order until no scale moves by more than cleTolerance (the paper iterates
// to convergence; vai_q_onnx likewise, to a fixed point or 20 steps).
//
// ReLU6 (Clip(0,6)) is not homogeneous: relu6(x/s) ≠ relu6(x)/s once x
// reaches 6, and the DPU has one clip bound, 6, for every channel. A pair
// whose activation is ReLU6 is equalized with the ReLU6 replaced by ReLU,
// as the paper does for MobileNetV2 ("Replace ReLU6" in its ablation
// table) and as vai_q_onnx offers (ReplaceClip6Relu, done before its CLE,
// whose pair patterns do not include Clip). This changes the float model
// where activations exceed 6; the warnings name the replaced nodes and
// the tests measure the accuracy effect.
//
// Scales are clamped to [cleMinScale, 1/cleMinScale] and set to 1 for a
// channel whose range is 0 on either side (a dead channel carries no
// information to equalize).
//
// Besides spreading ranges evenly over channels, CLE moves range between
// layers, which matters under the DPU's fix_pos cap of 12 (§1.3 item 4):
// a layer whose weights are all below 2^-13 (PP-OCRv4 det's head conv
// after BatchNorm folding: max |w| 0.0002) quantizes to zeros, and
// equalizing it with the ConvTranspose that follows restores it.

const (
	cleTolerance = 1e-4 // stop once every |s-1| of a sweep is below this
	cleMaxSweeps = 100
	cleMinScale  = 1.0 / 4096
)

// CLEPair describes one equalized pair.
type CLEPair struct {
	Head, Tail string
	// Act is the activation between them ("" for none), ReplacedReLU6
	// whether it was a Clip(0,6) turned into Relu.
	Act           string
	ReplacedReLU6 bool
}

// cleResult is what equalize did: the pairs, the number of sweeps and
// every conv-like weight's [min, max] before equalization.
type cleResult struct {
	Pairs  []CLEPair
	Sweeps int
	Before map[string][2]float32
}

// cleLayer is a conv-like node's parameters in float64 working copies.
type cleLayer struct {
	node *graph.Node
	w, b []float64
	wT   *tensor.Tensor // the original weight tensor (shape)
	bT   *tensor.Tensor
	// out is the number of output channels; for a Conv, group is its
	// group count; gemmT is Gemm's transB; transposed marks a
	// ConvTranspose (group 1, weights [in, out, k...]).
	out, group int
	gemm       bool
	gemmT      bool
	transposed bool
}

func (l *cleLayer) inChannels() int {
	if l.gemm {
		if l.gemmT {
			return l.wT.Shape[1]
		}
		return l.wT.Shape[0]
	}
	if l.transposed {
		return l.wT.Shape[0]
	}
	return l.wT.Shape[1] * l.group
}

// forOut calls f with the index of every weight of output channel o.
func (l *cleLayer) forOut(o int, f func(i int)) {
	if l.gemm {
		if l.gemmT { // B [out, K]
			k := l.wT.Shape[1]
			for i := o * k; i < (o+1)*k; i++ {
				f(i)
			}
			return
		}
		k := l.wT.Shape[0] // B [K, out]
		for r := 0; r < k; r++ {
			f(r*l.out + o)
		}
		return
	}
	if l.transposed { // W [in, out, k...]
		spatial := len(l.w) / (l.wT.Shape[0] * l.out)
		for c := 0; c < l.wT.Shape[0]; c++ {
			base := (c*l.out + o) * spatial
			for i := base; i < base+spatial; i++ {
				f(i)
			}
		}
		return
	}
	per := len(l.w) / l.out
	for i := o * per; i < (o+1)*per; i++ {
		f(i)
	}
}

// forIn calls f with the index of every weight that reads input channel c.
func (l *cleLayer) forIn(c int, f func(i int)) {
	if l.gemm {
		if l.gemmT { // B [out, K]
			k := l.wT.Shape[1]
			for r := 0; r < l.out; r++ {
				f(r*k + c)
			}
			return
		}
		for i := c * l.out; i < (c+1)*l.out; i++ { // B [K, out]
			f(i)
		}
		return
	}
	if l.transposed {
		per := len(l.w) / l.wT.Shape[0]
		for i := c * per; i < (c+1)*per; i++ {
			f(i)
		}
		return
	}
	icg := l.wT.Shape[1] // input channels per group
	ocg := l.out / l.group
	g, j := c/icg, c%icg
	spatial := len(l.w) / (l.out * icg)
	for o := g * ocg; o < (g+1)*ocg; o++ {
		base := (o*icg + j) * spatial
		for i := base; i < base+spatial; i++ {
			f(i)
		}
	}
}

// clePairPlan is a pair with its tail's block: the tail reads head channel
// c as input channels [c·block, (c+1)·block) (block > 1 after a Flatten
// of a map with more than one pixel).
type clePairPlan struct {
	head, tail *cleLayer
	act        *graph.Node
	clip6      bool
	block      int
}

// equalize is the cross-layer equalization hook (Config.CLE): it runs on
// the prepared float model after passes.Prepare and before probing and
// planning, so every later step (plan, weight fix_pos, calibration, the
// report's weight ranges) sees the equalized weights. It keeps the
// model's float outputs up to rounding, except where a ReLU6 becomes a
// ReLU (see above), and replaces initializers by new tensors (never in
// place: they are shared with the caller's model).
func equalize(m *graph.Model) (*cleResult, []string, error) {
	g := m.Graph
	res := &cleResult{Before: map[string][2]float32{}}
	cons := g.Consumers()
	uses := map[string]int{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			uses[in]++
		}
	}
	for _, o := range g.Outputs {
		uses[o.Name]++
	}
	layers := map[string]*cleLayer{}
	layerOf := func(n *graph.Node) *cleLayer {
		if l, ok := layers[n.Name]; ok {
			return l
		}
		l := cleLayerOf(g, n, uses)
		layers[n.Name] = l
		return l
	}
	for _, n := range g.Nodes {
		if l := layerOf(n); l != nil {
			res.Before[l.node.Inputs[1]] = rangeOf(l.wT.F32)
		}
	}

	var pairs []*clePairPlan
	for _, n := range g.Nodes {
		head := layerOf(n)
		if head == nil {
			continue
		}
		p := followPair(m, cons, head, layerOf)
		if p != nil {
			pairs = append(pairs, p)
		}
	}
	if len(pairs) == 0 {
		return res, nil, nil
	}

	// Sweep.
	var r1, r2 []float64
	for sweep := 1; sweep <= cleMaxSweeps; sweep++ {
		res.Sweeps = sweep
		worst := 0.0
		for _, p := range pairs {
			c := p.head.out
			r1, r2 = r1[:0], r2[:0]
			for o := 0; o < c; o++ {
				a := 0.0
				p.head.forOut(o, func(i int) { a = max(a, math.Abs(p.head.w[i])) })
				r1 = append(r1, a)
				b := 0.0
				for k := o * p.block; k < (o+1)*p.block; k++ {
					p.tail.forIn(k, func(i int) { b = max(b, math.Abs(p.tail.w[i])) })
				}
				r2 = append(r2, b)
			}
			for o := 0; o < c; o++ {
				if r1[o] == 0 || r2[o] == 0 {
					continue
				}
				s := math.Sqrt(r1[o] / r2[o])
				s = min(max(s, cleMinScale), 1/cleMinScale)
				worst = max(worst, math.Abs(s-1))
				inv := 1 / s
				p.head.forOut(o, func(i int) { p.head.w[i] *= inv })
				if p.head.b != nil {
					p.head.b[o] *= inv
				}
				for k := o * p.block; k < (o+1)*p.block; k++ {
					p.tail.forIn(k, func(i int) { p.tail.w[i] *= s })
				}
			}
		}
		if worst < cleTolerance {
			break
		}
	}

	// Write back: new tensors; ReLU6 -> ReLU.
	written := map[*cleLayer]bool{}
	var replaced []string
	for _, p := range pairs {
		for _, l := range []*cleLayer{p.head, p.tail} {
			if written[l] {
				continue
			}
			written[l] = true
			g.SetInitializer(l.node.Inputs[1], float32Tensor(l.w, l.wT.Shape))
			if l.b != nil {
				g.SetInitializer(l.node.Inputs[2], float32Tensor(l.b, l.bT.Shape))
			}
		}
		cp := CLEPair{Head: p.head.node.Name, Tail: p.tail.node.Name}
		if p.act != nil {
			cp.Act = p.act.Name
			if p.clip6 {
				p.act.OpType, p.act.Inputs = "Relu", p.act.Inputs[:1]
				p.act.Attrs, p.act.AttrOrder = map[string]*graph.Attr{}, nil
				cp.ReplacedReLU6 = true
				replaced = append(replaced, p.act.Name)
			}
		}
		res.Pairs = append(res.Pairs, cp)
	}
	var warns []string
	if len(replaced) > 0 {
		warns = append(warns, fmt.Sprintf("cle: Clip(0,6) (ReLU6) replaced by Relu at %d nodes so that their pairs can be equalized (Nagel et al. 2019; vai_q_onnx ReplaceClip6Relu): %s",
			len(replaced), strings.Join(replaced, ", ")))
	}
	return res, warns, nil
}

// cleLayerOf returns n's working copy if it can take part in CLE: a Conv,
// a ConvTranspose with one group, or a Gemm (transA 0, alpha and beta 1)
// whose float weight (and bias, if
// any, with one value per output channel) are initializers read by no
// other node.
func cleLayerOf(g *graph.Graph, n *graph.Node, uses map[string]int) *cleLayer {
	if (n.OpType != "Conv" && n.OpType != "ConvTranspose" && n.OpType != "Gemm") || len(n.Inputs) < 2 || len(n.Outputs) != 1 {
		return nil
	}
	w := g.Initializers[n.Inputs[1]]
	if w == nil || w.DType != tensor.Float32 || uses[n.Inputs[1]] != 1 || len(w.F32) == 0 {
		return nil
	}
	l := &cleLayer{node: n, wT: w}
	switch n.OpType {
	case "Conv":
		if w.Rank() < 3 {
			return nil
		}
		grp, _ := n.AttrInt("group", 1)
		l.out, l.group = w.Shape[0], int(grp)
		if l.group < 1 || l.out%l.group != 0 {
			return nil
		}
	case "ConvTranspose":
		grp, _ := n.AttrInt("group", 1)
		if w.Rank() < 3 || grp != 1 {
			return nil
		}
		l.out, l.group, l.transposed = w.Shape[1], 1, true
	case "Gemm":
		ta, _ := n.AttrInt("transA", 0)
		tb, _ := n.AttrInt("transB", 0)
		alpha, _ := n.AttrFloat("alpha", 1)
		beta, _ := n.AttrFloat("beta", 1)
		if ta != 0 || alpha != 1 || beta != 1 || w.Rank() != 2 {
			return nil
		}
		l.gemm, l.gemmT, l.group = true, tb != 0, 1
		l.out = w.Shape[1]
		if l.gemmT {
			l.out = w.Shape[0]
		}
	}
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		b := g.Initializers[n.Inputs[2]]
		if b == nil || b.DType != tensor.Float32 || uses[n.Inputs[2]] != 1 || len(b.F32) != l.out {
			return nil
		}
		l.bT = b
		l.b = float64s(b.F32)
	}
	l.w = float64s(w.F32)
	return l
}

// followPair looks for the tail of head: a chain of single-reader values
// through at most one activation (Relu, LeakyRelu, Clip(0,6) or Clip(0,∞))
// and per-channel homogeneous data movement (MaxPool, AveragePool, global
// pools, Flatten into a Gemm) to a conv-like node reading head's channels.
func followPair(m *graph.Model, cons map[string][]*graph.Node, head *cleLayer, layerOf func(*graph.Node) *cleLayer) *clePairPlan {
	g := m.Graph
	p := &clePairPlan{head: head, block: 1}
	v := head.node.Outputs[0]
	flattened := false
	for steps := 0; steps < 8; steps++ {
		cs := cons[v]
		if len(cs) != 1 || g.IsOutput(v) {
			return nil
		}
		n := cs[0]
		if len(n.Inputs) == 0 || n.Inputs[0] != v {
			return nil
		}
		switch n.OpType {
		case "Relu", "LeakyRelu", "Clip":
			if p.act != nil {
				return nil
			}
			if n.OpType == "Clip" {
				lo, hi, ok := m.ClipBounds(n)
				if !ok || lo != 0 || !(hi == 6 || math.IsInf(hi, 1)) {
					return nil
				}
				p.clip6 = hi == 6
			}
			if n.OpType == "LeakyRelu" {
				if a, _ := n.AttrFloat("alpha", 0.01); a < 0 {
					return nil
				}
			}
			p.act = n
		case "MaxPool", "GlobalMaxPool", "GlobalAveragePool", "AveragePool":
			if flattened {
				return nil
			}
		case "Flatten":
			if ax, _ := n.AttrInt("axis", 1); ax != 1 || flattened {
				return nil
			}
			flattened = true
		case "Conv", "ConvTranspose", "Gemm":
			tail := layerOf(n)
			if tail == nil {
				return nil
			}
			if tail.gemm != (flattened || head.gemm) {
				return nil // a Conv tail reads an unflattened conv map; a Gemm tail a flat one
			}
			k := tail.inChannels()
			if k%head.out != 0 || (!flattened && k != head.out) {
				return nil
			}
			p.tail, p.block = tail, k/head.out
			return p
		default:
			return nil
		}
		if len(n.Outputs) != 1 {
			return nil
		}
		v = n.Outputs[0]
	}
	return nil
}

func float64s(f []float32) []float64 {
	out := make([]float64, len(f))
	for i, v := range f {
		out[i] = float64(v)
	}
	return out
}

func float32Tensor(v []float64, shape []int) *tensor.Tensor {
	t := &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), shape...), F32: make([]float32, len(v))}
	for i, x := range v {
		t.F32[i] = float32(x)
	}
	return t
}

func rangeOf(f []float32) [2]float32 {
	if len(f) == 0 {
		return [2]float32{}
	}
	lo, hi := f[0], f[0]
	for _, v := range f {
		lo, hi = min(lo, v), max(hi, v)
	}
	return [2]float32{lo, hi}
}

// before returns a weight's range before CLE; ok is false when CLE did not
// run (r may be nil).
func (r *cleResult) before(weight string) ([2]float32, bool) {
	if r == nil {
		return [2]float32{}, false
	}
	v, ok := r.Before[weight]
	return v, ok
}
