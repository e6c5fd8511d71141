package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// AdaQuantOptions tune AdaQuant. The zero value gives the defaults.
type AdaQuantOptions struct {
	// Iterations of Adam per layer (default DefaultAdaQuantIterations).
	Iterations int
	// LR is Adam's learning rate in units of each tensor's quantization
	// step: a weight moves by about LR·2^-fw per iteration at most, a bias
	// by LR times the output's step (default DefaultAdaQuantLR). It decays
	// to 0 on a cosine over the iterations.
	LR float64
	// Batch is the number of calibration samples per iteration (default
	// DefaultAdaQuantBatch, at most the calibration set).
	Batch int
	// Seed makes the sampling reproducible: the same seed, model and data
	// give the same weights, bit for bit.
	Seed int64
}

// Defaults of AdaQuantOptions.
const (
	DefaultAdaQuantIterations = 300
	DefaultAdaQuantLR         = 0.05
	DefaultAdaQuantBatch      = 16
)

// MaxAdaQuantIterations bounds AdaQuantOptions.Iterations.
const MaxAdaQuantIterations = 1 << 20

func (o AdaQuantOptions) withDefaults() (AdaQuantOptions, error) {
	if o.Iterations < 0 || o.Iterations > MaxAdaQuantIterations {
		return o, fmt.Errorf("train: %d AdaQuant iterations, want 0 to %d", o.Iterations, MaxAdaQuantIterations)
	}
	if o.LR < 0 || math.IsNaN(o.LR) || math.IsInf(o.LR, 0) {
		return o, fmt.Errorf("train: AdaQuant learning rate %v, want >= 0", o.LR)
	}
	if o.Batch < 0 {
		return o, fmt.Errorf("train: AdaQuant batch %d, want >= 0", o.Batch)
	}
	if o.Iterations == 0 {
		o.Iterations = DefaultAdaQuantIterations
	}
	if o.LR == 0 {
		o.LR = DefaultAdaQuantLR
	}
	if o.Batch == 0 {
		o.Batch = DefaultAdaQuantBatch
	}
	return o, nil
}

// LayerResult reports one layer of AdaQuant.
type LayerResult struct {
	// Node is the Conv/Gemm/MatMul; Output the tensor whose error was
	// minimised (the fused activation's output where there is one).
	Node, Output string
	// Index (from 1) of Total layers.
	Index, Total int
	// MSEBefore and MSEAfter are the mean squared errors between the
	// quantized layer's output and the float model's on the whole
	// calibration set, with the PTQ parameters and with the fine-tuned
	// ones. Kept is false when fine-tuning did not lower the error and
	// the PTQ parameters were kept.
	MSEBefore, MSEAfter float64
	Kept                bool
	Duration            time.Duration
}

// AdaQuantResult is what AdaQuant changed.
type AdaQuantResult struct {
	// Initializers maps each fine-tuned weight and bias to its new float
	// values, which lie on the int8 grid of the tensor's fix_pos (so
	// quantizing them again at that fix_pos is lossless).
	Initializers map[string]*tensor.Tensor
	Layers       []LayerResult
}

// adaLayer is one layer to fine-tune.
type adaLayer struct {
	node   *graph.Node
	act    *graph.Node // fused activation, or nil
	input  string
	output string
	params []string // weight (and bias) initializers that are points
}

// AdaQuant fine-tunes the weights and biases of every quantized Conv,
// Gemm and MatMul of m (a prepared float model) under spec, layer by
// layer in graph order (Hubara et al. 2020, arXiv:2006.10518): it
// minimises, over the calibration samples, the mean squared error between
// the layer's quantized output and the float model's, where the layer's
// input comes from the already fine-tuned quantized prefix (so errors do
// not compound), with rounding through the straight-through estimator and
// Adam. Only one layer's input and target are cached at a time. calib
// holds the calibration batches (graph inputs, batch on dim 0; all batches
// the same shape but the first dim). m and calib are not modified.
// progress (may be nil) is called after each layer. The activations are
// not re-calibrated here: the caller re-runs calibration with the new
// parameters.
func AdaQuant(ctx context.Context, m *graph.Model, spec *Spec, calib []map[string]*tensor.Tensor, opts AdaQuantOptions, progress func(LayerResult)) (*AdaQuantResult, error) {
	if spec == nil {
		return nil, fmt.Errorf("train: AdaQuant needs a quantization spec")
	}
	if len(calib) == 0 {
		return nil, fmt.Errorf("train: AdaQuant needs calibration data")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	// The quantized prefix runs on a copy of the model whose
	// initializers are replaced as layers are fine-tuned.
	work := *m
	wg := *m.Graph
	wg.Initializers = make(map[string]*tensor.Tensor, len(m.Graph.Initializers))
	for k, v := range m.Graph.Initializers {
		wg.Initializers[k] = v
	}
	work.Graph = &wg
	noTrain := Options{Trainable: func(string) bool { return false }}
	fnet, err := NewNet(m, nil, noTrain)
	if err != nil {
		return nil, err
	}
	qnet, err := NewNet(&work, spec, noTrain)
	if err != nil {
		return nil, err
	}
	layers := adaLayers(&wg, spec)
	res := &AdaQuantResult{Initializers: map[string]*tensor.Tensor{}}
	// One paused pass per calibration batch in each net: the layers are
	// walked in graph order, so each node runs once per net in all.
	var fst, qst []*State
	for _, b := range calib {
		f, err := fnet.NewState(b)
		if err != nil {
			return nil, err
		}
		q, err := qnet.NewState(b)
		if err != nil {
			return nil, err
		}
		fst, qst = append(fst, f), append(qst, q)
	}
	for li, l := range layers {
		t0 := time.Now()
		lr, err := adaQuantLayer(ctx, &work, spec, fnet, qnet, fst, qst, l, opts, li)
		if err != nil {
			return nil, err
		}
		lr.Index, lr.Total, lr.Duration = li+1, len(layers), time.Since(t0)
		if lr.Kept {
			for _, p := range l.params {
				res.Initializers[p] = wg.Initializers[p]
			}
			// The prefix of the next layers reads the new values.
			if err := qnet.SetSpec(spec); err != nil {
				return nil, err
			}
		}
		res.Layers = append(res.Layers, lr)
		if progress != nil {
			progress(lr)
		}
	}
	return res, nil
}

// adaLayers lists the layers to fine-tune: Conv, Gemm and MatMul nodes
// whose weight is a quantized initializer, each with its fused activation
// (the only reader of an unquantized output, an elementwise activation
// whose output is quantized).
func adaLayers(g *graph.Graph, spec *Spec) []adaLayer {
	cons := g.Consumers()
	var out []adaLayer
	for _, n := range g.Nodes {
		switch n.OpType {
		case "Conv", "Gemm", "MatMul":
		default:
			continue
		}
		if len(n.Inputs) < 2 || len(n.Outputs) < 1 {
			continue
		}
		if _, ok := spec.point(n.Inputs[1]); !ok || g.Initializers[n.Inputs[1]] == nil {
			continue
		}
		l := adaLayer{node: n, input: n.Inputs[0], output: n.Outputs[0], params: []string{n.Inputs[1]}}
		if len(n.Inputs) > 2 && n.Inputs[2] != "" && g.Initializers[n.Inputs[2]] != nil {
			if _, ok := spec.point(n.Inputs[2]); ok {
				l.params = append(l.params, n.Inputs[2])
			}
		}
		if _, quantized := spec.point(l.output); !quantized && !g.IsOutput(l.output) {
			if cs := cons[l.output]; len(cs) == 1 && cs[0].Inputs[0] == l.output {
				switch cs[0].OpType {
				case "Relu", "Clip", "LeakyRelu":
					if _, ok := spec.point(cs[0].Outputs[0]); ok {
						l.act, l.output = cs[0], cs[0].Outputs[0]
					}
				}
			}
		}
		out = append(out, l)
	}
	return out
}

// adaQuantLayer fine-tunes one layer and, if that lowered the error,
// writes its new parameters into work's initializers.
func adaQuantLayer(ctx context.Context, work *graph.Model, spec *Spec, fnet, qnet *Net, fst, qst []*State, l adaLayer,
	opts AdaQuantOptions, index int) (LayerResult, error) {
	res := LayerResult{Node: l.node.Name, Output: l.output}
	// 1. Cache the layer's quantized input and the float target.
	xs, err := gatherValue(ctx, qnet, qst, l.input)
	if err != nil {
		return res, err
	}
	ts, err := gatherValue(ctx, fnet, fst, l.output)
	if err != nil {
		return res, err
	}
	if xs.DType != tensor.Float32 || ts.DType != tensor.Float32 || xs.Shape[0] != ts.Shape[0] {
		return res, l.node.Errorf("train: AdaQuant: input %v and target %v do not pair up", xs, ts)
	}
	samples := xs.Shape[0]
	// 2. The layer as a model of its own.
	sub, subSpec := layerModel(work, spec, l)
	trainable := map[string]bool{}
	for _, p := range l.params {
		trainable[p] = true
	}
	net, err := NewNet(sub, subSpec, Options{Trainable: func(n string) bool { return trainable[n] }})
	if err != nil {
		return res, err
	}
	batch := min(opts.Batch, samples)
	eval := func() (float64, error) {
		var sum float64
		for s0 := 0; s0 < samples; s0 += batch {
			n := min(batch, samples-s0)
			x, err := sliceBatch(xs, s0, n)
			if err != nil {
				return 0, err
			}
			if err := net.Forward(ctx, map[string]*tensor.Tensor{l.input: x}, -1); err != nil {
				return 0, err
			}
			y := net.Value(l.output)
			per := len(ts.F32) / samples
			mse, err := MSE(y.F32, ts.F32[s0*per:(s0+n)*per], nil)
			if err != nil {
				return 0, err
			}
			sum += mse * float64(n)
		}
		return sum / float64(samples), nil
	}
	if res.MSEBefore, err = eval(); err != nil {
		return res, err
	}
	// The best parameters seen, checked on the whole calibration set every
	// evalEvery iterations: the straight-through gradient of a mini-batch
	// may flip weights that sit on a rounding boundary the wrong way.
	best := make([][]float32, len(net.Params()))
	for i, p := range net.Params() {
		best[i] = append([]float32(nil), p.W...)
	}
	bestMSE := res.MSEBefore
	evalEvery := max(10, opts.Iterations/10)
	keepIfBetter := func() error {
		mse, err := eval()
		if err != nil {
			return err
		}
		if mse < bestMSE {
			bestMSE = mse
			for i, p := range net.Params() {
				copy(best[i], p.W)
			}
		}
		return nil
	}
	// 3. Adam on the layer's parameters.
	lrOf := map[*Param]float64{}
	outStep := 0.0
	if pt, ok := subSpec.point(l.output); ok {
		outStep = math.Ldexp(1, -pt.FixPos)
	}
	for _, p := range net.Params() {
		step := math.Ldexp(1, -p.point.FixPos)
		if !p.quant {
			step = maxAbs(p.W) / qMax
		}
		if p.Name != l.params[0] && outStep > 0 {
			step = math.Max(step, outStep) // a bias moves on the output's scale
		}
		lrOf[p] = opts.LR * step
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(index)))
	xb, err := tensor.New(tensor.Float32, append([]int{batch}, xs.Shape[1:]...)...)
	if err != nil {
		return res, err
	}
	xPer, tPer := len(xs.F32)/samples, len(ts.F32)/samples
	tb := make([]float32, batch*tPer)
	inputs := map[string]*tensor.Tensor{l.input: xb}
	adam := &Adam{}
	var decay float64
	lr := func(p *Param) float64 { return lrOf[p] * decay }
	for it := 0; it < opts.Iterations; it++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		for k := 0; k < batch; k++ {
			s := rng.IntN(samples)
			copy(xb.F32[k*xPer:(k+1)*xPer], xs.F32[s*xPer:(s+1)*xPer])
			copy(tb[k*tPer:(k+1)*tPer], ts.F32[s*tPer:(s+1)*tPer])
		}
		if err := net.Forward(ctx, inputs, -1); err != nil {
			return res, err
		}
		g, err := net.SeedGrad(l.output)
		if err != nil {
			return res, err
		}
		if _, err := MSE(net.Value(l.output).F32, tb, g); err != nil {
			return res, err
		}
		if err := net.Backward(ctx); err != nil {
			return res, err
		}
		decay = 0.5 * (1 + math.Cos(math.Pi*float64(it)/float64(opts.Iterations)))
		adam.Step(net.Params(), lr)
		net.Sync()
		if (it+1)%evalEvery == 0 || it+1 == opts.Iterations {
			if err := keepIfBetter(); err != nil {
				return res, err
			}
		}
	}
	for i, p := range net.Params() {
		copy(p.W, best[i])
	}
	net.Sync()
	res.MSEAfter = bestMSE
	if !(bestMSE < res.MSEBefore) {
		return res, nil
	}
	res.Kept = true
	for _, p := range net.Params() {
		old := work.Graph.Initializers[p.Name]
		work.Graph.Initializers[p.Name] = &tensor.Tensor{DType: tensor.Float32, Shape: append([]int(nil), old.Shape...),
			F32: append([]float32(nil), p.Values()...)}
	}
	return res, nil
}

// layerModel is the layer (and its fused activation) as a model whose
// input is the layer's input and output the tensor AdaQuant matches.
func layerModel(work *graph.Model, spec *Spec, l adaLayer) (*graph.Model, *Spec) {
	g := work.Graph
	sub := &graph.Model{IRVersion: work.IRVersion, Opsets: work.Opsets, Graph: &graph.Graph{Name: l.node.Name}}
	sg := sub.Graph
	sg.Inputs = []graph.ValueInfo{{Name: l.input, DType: tensor.Float32}}
	sg.Outputs = []graph.ValueInfo{{Name: l.output, DType: tensor.Float32}}
	sg.Nodes = []*graph.Node{l.node}
	if l.act != nil {
		sg.Nodes = append(sg.Nodes, l.act)
	}
	ss := &Spec{Points: map[string]Point{}, Nodes: map[string]NodeApprox{}}
	for _, n := range sg.Nodes {
		for _, in := range n.Inputs {
			if t := g.Initializers[in]; t != nil {
				sg.SetInitializer(in, t)
				if pt, ok := spec.point(in); ok {
					ss.Points[in] = pt
				}
			}
		}
		ss.Nodes[n.Name] = spec.approx(n.Name)
	}
	if pt, ok := spec.point(l.output); ok {
		ss.Points[l.output] = pt
	}
	return sub, ss
}

// gatherValue advances each calibration batch's paused pass up to value
// name and returns its values for all samples, concatenated on dim 0.
func gatherValue(ctx context.Context, net *Net, states []*State, name string) (*tensor.Tensor, error) {
	var parts []*tensor.Tensor
	total := 0
	for bi, st := range states {
		if err := net.AdvanceTo(ctx, st, name); err != nil {
			return nil, err
		}
		v := net.Value(name)
		if v == nil || v.Rank() == 0 || v.DType != tensor.Float32 {
			return nil, fmt.Errorf("train: value %q was not computed (or is not a float32 batch)", name)
		}
		if bi > 0 && !tensor.SameShape(v.Shape[1:], parts[0].Shape[1:]) {
			return nil, fmt.Errorf("train: calibration batch %d gives %q of shape %v, batch 0 %v", bi, name, v.Shape, parts[0].Shape)
		}
		parts = append(parts, v.Clone())
		total += v.Shape[0]
	}
	per := parts[0].Len() / max(1, parts[0].Shape[0])
	if _, err := tensor.NumElements([]int{total, per}); err != nil {
		return nil, err
	}
	out := &tensor.Tensor{DType: tensor.Float32, Shape: append([]int{total}, parts[0].Shape[1:]...), F32: make([]float32, 0, total*per)}
	for _, p := range parts {
		out.F32 = append(out.F32, p.F32...)
	}
	return out, nil
}

// sliceBatch is samples [s0, s0+n) of t (a view).
func sliceBatch(t *tensor.Tensor, s0, n int) (*tensor.Tensor, error) {
	per := len(t.F32) / t.Shape[0]
	return &tensor.Tensor{DType: tensor.Float32, Shape: append([]int{n}, t.Shape[1:]...), F32: t.F32[s0*per : (s0+n)*per]}, nil
}

func maxAbs(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}
