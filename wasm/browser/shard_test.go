package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"fixq/core/job"
	"fixq/core/prep"
)

// labelled is an ImageFolder of n tiny gray PNGs over 3 classes.
func labelled(t *testing.T, n int) *prep.Dataset {
	t.Helper()
	img := pngOf(t, 2, 2)
	var paths []string
	for i := 0; i < n; i++ {
		paths = append(paths, fmt.Sprintf("c%d/%03d.png", i%3, i))
	}
	d, err := prep.FromFiles(paths, func(string) ([]byte, error) { return img, nil }, true)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// batchNames walks d in batches as job.Evaluate does and returns each
// batch's image names.
func batchNames(t *testing.T, d *prep.Dataset, opts job.EvaluateOptions) [][]string {
	t.Helper()
	part := *d
	part.Limit(opts.Limit)
	img := pngOf(t, 2, 2)
	var names []string
	entries := make([]prep.Entry, len(part.Entries)) // recording loaders, on a copy
	for i, e := range part.Entries {
		e.Load = func() ([]byte, error) { names = append(names, e.Name); return img, nil }
		entries[i] = e
	}
	part.Entries = entries
	b := &prep.Batches{D: &part, Geo: prep.InputGeometry{C: 1, H: 2, W: 2}, Size: opts.BatchSize}
	var out [][]string
	for {
		before := len(names)
		_, _, err := b.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]string(nil), names[before:]...))
	}
}

// The shards' batches are exactly the single worker's batches, dealt out
// round robin, for any number of shards, limits and batch sizes.
func TestShardsDealTheSingleWorkersBatches(t *testing.T) {
	for _, c := range []struct{ n, limit, batch, shards int }{
		{200, 0, 0, 2}, {200, 0, 0, 3}, {37, 0, 5, 4}, {100, 30, 0, 2}, {10, 0, 0, 4}, {1, 0, 0, 2}, {50, 0, 7, 1},
	} {
		d := labelled(t, c.n)
		opts := job.EvaluateOptions{Limit: c.limit, BatchSize: c.batch}
		single := batchNames(t, d, opts)
		got := make([][][]string, c.shards)
		total := 0
		for s := 0; s < c.shards; s++ {
			part, po, err := shardOf(d, opts, s, c.shards)
			if err != nil {
				t.Fatal(err)
			}
			if po.Limit != 0 || po.BatchSize <= 0 {
				t.Errorf("%+v shard %d: options %+v", c, s, po)
			}
			if fmt.Sprint(part.Classes) != fmt.Sprint(d.Classes) {
				t.Errorf("%+v shard %d: classes %v, want all of %v", c, s, part.Classes, d.Classes)
			}
			total += part.Len()
			if part.Len() > 0 {
				got[s] = batchNames(t, part, po)
			}
		}
		for j, want := range single {
			s, k := j%c.shards, j/c.shards
			if k >= len(got[s]) || fmt.Sprint(got[s][k]) != fmt.Sprint(want) {
				t.Errorf("%+v: single-worker batch %d %v is not shard %d's batch %d", c, j, want, s, k)
			}
		}
		if n := len(d.Entries); c.limit > 0 && c.limit < n {
			n = c.limit
			if total != n {
				t.Errorf("%+v: shards hold %d images, want %d", c, total, n)
			}
		} else if total != n {
			t.Errorf("%+v: shards hold %d images, want %d", c, total, n)
		}
	}
}

// defaultBatch is the batch size prep uses when none is given.
func TestDefaultBatchIsPreps(t *testing.T) {
	d := labelled(t, 3*defaultBatch)
	b := &prep.Batches{D: d, Geo: prep.InputGeometry{C: 1, H: 2, W: 2}}
	x, _, err := b.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if x.Shape[0] != defaultBatch {
		t.Errorf("prep's default batch is %d, shardOf assumes %d", x.Shape[0], defaultBatch)
	}
}

func TestShardErrors(t *testing.T) {
	d := labelled(t, 4)
	for _, c := range [][2]int{{0, 0}, {2, 2}, {-1, 2}, {0, maxShards + 1}} {
		if _, _, err := shardOf(d, job.EvaluateOptions{}, c[0], c[1]); errorCode(err) != CodeBadRequest {
			t.Errorf("shard %d of %d: %v, want BAD_REQUEST", c[0], c[1], err)
		}
	}
}

// The parts' hit counts add up to the whole set's: job.Evaluate on each
// shard of the Fashion-MNIST model and data, summed, equals one run.
func TestShardHitsAddUp(t *testing.T) {
	model := readModel(t)
	d := labelled(t, 45)
	opts := job.EvaluateOptions{Preprocess: prep.Options{Gray: true}, BatchSize: 4}
	whole, err := job.Evaluate(context.Background(), model, d, opts, job.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sum job.EvaluateResult
	for s := 0; s < 3; s++ {
		part, po, err := shardOf(d, opts, s, 3)
		if err != nil {
			t.Fatal(err)
		}
		r, err := job.Evaluate(context.Background(), model, part, po, job.Limits{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum.N += r.N
		sum.Top1Hits += r.Top1Hits
		sum.Top5Hits += r.Top5Hits
	}
	if sum.N != whole.N || sum.Top1Hits != whole.Top1Hits || sum.Top5Hits != whole.Top5Hits || whole.N != 45 {
		t.Errorf("shards sum to %+v, one run gives %+v", sum, *whole)
	}
	if float64(whole.Top1Hits)/float64(whole.N) != whole.Top1 {
		t.Errorf("top1 %v is not top1_hits/n = %d/%d", whole.Top1, whole.Top1Hits, whole.N)
	}
}
