package quant

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"testing"
	"time"

	"fixq/core/engine"
	"fixq/core/graph"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// TestWasmProfile (opt-in: FIXQ_PROF=cls|rec) times the float model per op
// type (Conv split by path) through engine.Options.AfterNode, the
// Simulator, and one Quantize. Run natively, with -tags purego, and under
// GOOS=js GOARCH=wasm to see where the wasm time goes.
func TestWasmProfile(t *testing.T) {
	which := os.Getenv("FIXQ_PROF")
	if which == "" {
		t.Skip("set FIXQ_PROF=cls or rec")
	}
	path, shape := testassets.PaddleCls(t), []int{1, 3, 48, 192}
	if which == "rec" {
		path, shape = testassets.PaddleRec(t), []int{1, 3, 48, 320}
	}
	m := loadONNX(t, path)
	in := m.Graph.Inputs[0].Name
	r := rand.New(rand.NewSource(30))
	nq := 4
	if v := os.Getenv("FIXQ_PROF_N"); v != "" {
		fmt.Sscan(v, &nq)
	}
	var cal []map[string]*tensor.Tensor
	for i := 0; i < nq; i++ {
		cal = append(cal, map[string]*tensor.Tensor{in: randInput(r, 1, shape...)})
	}
	t0 := time.Now()
	res, err := Quantize(context.Background(), m, &SliceSource{Batches: cal}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Quantize (%d samples): %v", nq, time.Since(t0).Round(time.Millisecond))
	pm := res.Prepared
	kind := map[string]string{}
	for _, n := range pm.Graph.Nodes {
		k := n.OpType
		if k == "Conv" {
			w := pm.Graph.Initializers[n.Inputs[1]]
			g, _ := n.AttrInt("group", 1)
			switch {
			case w == nil:
				k = "Conv:?"
			case w.Shape[1] == 1 && g > 1:
				k = fmt.Sprintf("Conv:dw%dx%d", w.Shape[2], w.Shape[len(w.Shape)-1])
			case len(w.Shape) == 4 && w.Shape[2]*w.Shape[3] == 1:
				k = "Conv:1x1"
			default:
				k = fmt.Sprintf("Conv:%dx%d", w.Shape[2], w.Shape[len(w.Shape)-1])
			}
		}
		kind[n.Name] = k
	}
	sum := map[string]time.Duration{}
	cnt := map[string]int{}
	var last time.Time
	s, err := engine.NewSession(pm, engine.Options{AfterNode: func(n *graph.Node, _ []*tensor.Tensor) error {
		now := time.Now()
		sum[kind[n.Name]] += now.Sub(last)
		cnt[kind[n.Name]]++
		last = now
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	x := map[string]*tensor.Tensor{in: randInput(r, 1, shape...)}
	reps := 5
	var total time.Duration
	for i := 0; i < reps+1; i++ {
		if i == 1 { // first run warms the pools
			clear(sum)
			clear(cnt)
			total = 0
		}
		t1 := time.Now()
		last = t1
		if _, err := s.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		total += time.Since(t1)
	}
	type row struct {
		k string
		d time.Duration
	}
	var rows []row
	for k, d := range sum {
		rows = append(rows, row{k, d})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].d > rows[j].d })
	t.Logf("float run: %v per run (%d runs)", total/time.Duration(reps), reps)
	for _, rw := range rows {
		t.Logf("  %-14s %4d nodes %9.2f ms/run %5.1f%%", rw.k, cnt[rw.k]/reps, float64(rw.d)/float64(reps)/1e6, 100*float64(rw.d)/float64(total))
	}
	sim, err := res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	ksum := map[string]time.Duration{}
	qsum := map[string]time.Duration{}
	sim.sess, err = engine.NewSession(sim.model, engine.Options{AfterNode: func(n *graph.Node, outs []*tensor.Tensor) error {
		now := time.Now()
		ksum[kind[n.Name]] += now.Sub(last)
		err := sim.afterNode(n, outs)
		last = time.Now()
		qsum[kind[n.Name]] += last.Sub(now)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	sim.Run(context.Background(), x)
	clear(ksum)
	clear(qsum)
	var stot time.Duration
	for i := 0; i < reps; i++ {
		t1 := time.Now()
		last = t1
		if _, err := sim.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		stot += time.Since(t1)
	}
	rows = rows[:0]
	for k, d := range ksum {
		rows = append(rows, row{k, d + qsum[k]})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].d > rows[j].d })
	t.Logf("simulator run (timed hooks): %v per run", stot/time.Duration(reps))
	for _, rw := range rows {
		t.Logf("  %-14s kernel %9.2f ms/run  fake-quant hook %9.2f ms/run  %5.1f%%", rw.k, float64(ksum[rw.k])/float64(reps)/1e6,
			float64(qsum[rw.k])/float64(reps)/1e6, 100*float64(rw.d)/float64(stot))
	}
	sim, err = res.Simulator()
	if err != nil {
		t.Fatal(err)
	}
	sim.Run(context.Background(), x)
	t1 := time.Now()
	for i := 0; i < reps; i++ {
		if _, err := sim.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("simulator run: %v per run", time.Since(t1)/time.Duration(reps))
}
