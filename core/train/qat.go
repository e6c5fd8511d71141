package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Samples is a labelled data set with random access, for training.
type Samples interface {
	// Len is the number of samples.
	Len() int
	// Batch returns the model inputs (batch on dim 0) for the samples
	// idx, in that order, and their class labels.
	Batch(ctx context.Context, idx []int) (map[string]*tensor.Tensor, []int, error)
}

// EpochOptions tune TrainEpoch.
type EpochOptions struct {
	// Logits is the value the cross-entropy reads, [N, classes] (see
	// LogitsName).
	Logits string
	// Batch is the mini-batch size (default 32).
	Batch int
	// Optimizer updates the parameters after each mini-batch.
	Optimizer Optimizer
	// LR gives the learning rate of step `step` of `steps` in this epoch.
	LR func(step, steps int) float64
	// Seed and Epoch choose the shuffle: the same pair, the same order.
	Seed  int64
	Epoch int
	// Progress, if set, is called after each mini-batch.
	Progress func(done, total int)
}

// EpochStats sums up one epoch: the mean training loss and the accuracy
// of the training forward passes (with the parameters of the moment).
type EpochStats struct {
	Loss     float64
	Correct  int
	N        int
	Duration time.Duration
}

// LogitsName returns the value a classifier's cross-entropy should read:
// the graph's first output, or the input of the Softmax that produces it.
func LogitsName(m *graph.Model) (string, error) {
	g := m.Graph
	if len(g.Outputs) == 0 {
		return "", fmt.Errorf("train: model has no outputs")
	}
	out := g.Outputs[0].Name
	if p := g.Producers()[out]; p != nil && p.OpType == "Softmax" {
		return p.Inputs[0], nil
	}
	return out, nil
}

// TrainEpoch runs one epoch of mini-batch training with softmax
// cross-entropy on net's logits: a seeded shuffle of data, forward (fake
// quantized if net has a Spec), backward, an optimizer step and
// Net.Sync per mini-batch. The last partial batch is kept.
func TrainEpoch(ctx context.Context, net *Net, data Samples, opts EpochOptions) (EpochStats, error) {
	var st EpochStats
	t0 := time.Now()
	if opts.Optimizer == nil || opts.LR == nil {
		return st, fmt.Errorf("train: TrainEpoch needs an optimizer and a learning rate")
	}
	batch := opts.Batch
	if batch <= 0 {
		batch = 32
	}
	n := data.Len()
	if n == 0 {
		return st, fmt.Errorf("train: no training samples")
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(opts.Epoch)))
	order := rng.Perm(n)
	steps := (n + batch - 1) / batch
	var lossSum float64
	for s := 0; s < steps; s++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		idx := order[s*batch : min(n, (s+1)*batch)]
		in, labels, err := data.Batch(ctx, idx)
		if err != nil {
			return st, err
		}
		if err := net.Forward(ctx, in, -1); err != nil {
			return st, err
		}
		logits := net.Value(opts.Logits)
		if logits == nil || logits.DType != tensor.Float32 || logits.Rank() < 1 || logits.Shape[0] != len(labels) {
			return st, fmt.Errorf("train: logits %q are %v for %d labels", opts.Logits, logits, len(labels))
		}
		g, err := net.SeedGrad(opts.Logits)
		if err != nil {
			return st, err
		}
		loss, correct, err := SoftmaxCrossEntropy(logits.F32, len(logits.F32)/len(labels), labels, g)
		if err != nil {
			return st, err
		}
		if err := net.Backward(ctx); err != nil {
			return st, err
		}
		lr := opts.LR(s, steps)
		opts.Optimizer.Step(net.Params(), func(*Param) float64 { return lr })
		net.Sync()
		lossSum += loss * float64(len(labels))
		st.Correct += correct
		st.N += len(labels)
		if opts.Progress != nil {
			opts.Progress(s+1, steps)
		}
	}
	st.Loss = lossSum / float64(st.N)
	st.Duration = time.Since(t0)
	return st, nil
}
