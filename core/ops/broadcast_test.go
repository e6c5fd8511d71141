package ops

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"fixq/core/tensor"
)

func TestBcShape(t *testing.T) {
	for _, c := range []struct {
		in   [][]int
		want []int
		err  string
	}{
		{[][]int{{2, 3}, {2, 3}}, []int{2, 3}, ""},
		{[][]int{{2, 3, 4, 5}, {}}, []int{2, 3, 4, 5}, ""},
		{[][]int{{2, 3, 4, 5}, {5}}, []int{2, 3, 4, 5}, ""},
		{[][]int{{4, 5}, {2, 3, 4, 5}}, []int{2, 3, 4, 5}, ""},
		{[][]int{{1, 4, 5}, {2, 1, 1}}, []int{2, 4, 5}, ""},
		{[][]int{{3, 1}, {1, 4}, {2, 1, 1}}, []int{2, 3, 4}, ""},
		{[][]int{{0, 1}, {1, 5}}, []int{0, 5}, ""},
		{[][]int{{2, 3}, {3, 2}}, nil, "shapes [2 3], [3 2] cannot be broadcast: 2 vs 3 at dim -2"},
		{[][]int{{2, 3, 4}, {2, 4}}, nil, "3 vs 2 at dim -2"},
		{[][]int{{0}, {2}}, nil, "cannot be broadcast"},
		{[][]int{{1 << 20, 1}, {1, 1 << 20}}, nil, "more than"},
	} {
		got, err := bcShape(c.in...)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("bcShape%v: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("bcShape%v = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// The common layouts take one row per call or per channel.
func TestBcPlanRows(t *testing.T) {
	for _, c := range []struct {
		out   []int
		ins   [][]int
		rows  int
		inner int
	}{
		{[]int{2, 3, 4, 5}, [][]int{{2, 3, 4, 5}, {2, 3, 4, 5}}, 1, 120},
		{[]int{2, 3, 4, 5}, [][]int{{2, 3, 4, 5}, {}}, 1, 120},
		{[]int{2, 3, 4, 5}, [][]int{{2, 3, 4, 5}, {1, 1, 1, 1}}, 1, 120},
		{[]int{2, 3, 4, 5}, [][]int{{2, 3, 4, 5}, {3, 1, 1}}, 6, 20},
		{[]int{1, 3, 4, 5}, [][]int{{1, 3, 4, 5}, {1, 3, 1, 1}}, 3, 20},
		{[]int{2, 3, 4, 5}, [][]int{{2, 3, 4, 5}, {5}}, 24, 5},
		{[]int{1, 1, 1}, [][]int{{1, 1, 1}, {1}}, 1, 1},
		{[]int{3, 0, 2}, [][]int{{3, 0, 2}, {2}}, 0, 1},
	} {
		p, err := newBcPlan(c.out, c.ins...)
		if err != nil {
			t.Fatal(err)
		}
		if p.rows != c.rows || p.inner != c.inner {
			t.Errorf("plan %v <- %v: %d rows of %d, want %d of %d", c.out, c.ins, p.rows, p.inner, c.rows, c.inner)
		}
	}
	if _, err := newBcPlan([]int{2, 3}, []int{4, 2, 3}); err == nil {
		t.Error("plan [2 3] <- [4 2 3]: no error")
	}
	if _, err := newBcPlan([]int{2, 3}, []int{2, 2}); err == nil {
		t.Error("plan [2 3] <- [2 2]: no error")
	}
}

// mtBcRef is numpy broadcasting by definition: for every output index,
// the input element at that index with broadcast dims pinned to 0.
func mtBcRef(out []int, sh []int, x []float32) []float32 {
	n := 1
	for _, d := range out {
		n *= d
	}
	res := make([]float32, n)
	idx := make([]int, len(out))
	for i := 0; i < n; i++ {
		rem := i
		for d := len(out) - 1; d >= 0; d-- {
			idx[d] = rem % out[d]
			rem /= out[d]
		}
		off, stride := 0, 1
		for d := len(sh) - 1; d >= 0; d-- {
			j := idx[len(out)-len(sh)+d]
			if sh[d] == 1 {
				j = 0
			}
			off += j * stride
			stride *= sh[d]
		}
		res[i] = x[off]
	}
	return res
}

// Random shapes through bcApply (Add) and bcExpand against mtBcRef.
func TestBcApplyRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 500; it++ {
		rank := r.IntN(6)
		out := make([]int, rank)
		for i := range out {
			out[i] = 1 + r.IntN(4)
		}
		pick := func() []int {
			k := r.IntN(rank + 1)
			s := slices.Clone(out[rank-k:])
			for i := range s {
				if r.IntN(2) == 0 {
					s[i] = 1
				}
			}
			return s
		}
		ash, bsh := pick(), pick()
		full, err := bcShape(ash, bsh)
		if err != nil {
			t.Fatal(err)
		}
		fill := func(s []int) []float32 {
			n := 1
			for _, d := range s {
				n *= d
			}
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(r.IntN(1000))
			}
			return v
		}
		a, b := fill(ash), fill(bsh)
		ra, rb := mtBcRef(full, ash, a), mtBcRef(full, bsh, b)
		got := make([]float32, len(ra))
		if err := bcApply(full, got, a, ash, b, bsh, addRow[float32]); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != ra[i]+rb[i] {
				t.Fatalf("%v + %v -> %v: element %d = %v, want %v", ash, bsh, full, i, got[i], ra[i]+rb[i])
			}
		}
		// Broadcasting both into a larger output (the variadic fold's
		// first step) and expanding.
		big := mtBcRef(out, ash, a)
		exp := make([]float32, len(big))
		if err := bcExpand(out, exp, a, ash); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(exp, big) {
			t.Fatalf("expand %v -> %v: %v, want %v", ash, out, exp, big)
		}
		rb2 := mtBcRef(out, bsh, b)
		got2 := make([]float32, len(big))
		if err := bcApply(out, got2, a, ash, b, bsh, subRow[float32]); err != nil {
			t.Fatal(err)
		}
		for i := range got2 {
			if got2[i] != big[i]-rb2[i] {
				t.Fatalf("%v - %v -> %v: element %d = %v, want %v", ash, bsh, out, i, got2[i], big[i]-rb2[i])
			}
		}
	}
}

// Binary ops allocate a constant amount per call, whatever the size.
func TestBcAllocs(t *testing.T) {
	for _, c := range []struct{ a, b []int }{
		{[]int{1, 16, 32, 32}, []int{1, 16, 32, 32}},
		{[]int{1, 16, 32, 32}, []int{}},
		{[]int{1, 16, 32, 32}, []int{16, 1, 1}},
		{[]int{1, 16, 32, 32}, []int{32}},
	} {
		var allocs []float64
		for _, scale := range []int{1, 4} {
			as := slices.Clone(c.a)
			as[0] = scale
			bs := slices.Clone(c.b)
			if len(bs) == 4 {
				bs[0] = scale
			}
			a, _ := tensor.New(tensor.Float32, as...)
			b, _ := tensor.New(tensor.Float32, bs...)
			ctx := &Ctx{Opset: 17, Pool: &tensor.Pool{}}
			n := mtNode("Add")
			in := []*tensor.Tensor{a, b}
			allocs = append(allocs, testing.AllocsPerRun(20, func() {
				out, err := addKernel(ctx, n, in)
				if err != nil {
					t.Fatal(err)
				}
				ctx.Pool.Put(out[0])
			}))
		}
		if allocs[0] != allocs[1] || allocs[0] > 12 {
			t.Errorf("Add %v + %v: %v allocations per call at batch 1 and 4, want a small constant", c.a, c.b, allocs)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	for _, c := range []struct {
		name string
		a, b []int
	}{
		{"same", []int{1, 64, 56, 56}, []int{1, 64, 56, 56}},
		{"scalar", []int{1, 64, 56, 56}, []int{}},
		{"channel", []int{1, 64, 56, 56}, []int{64, 1, 1}},
		{"lastdim", []int{1, 64, 56, 56}, []int{56}},
		{"outer", []int{64, 1, 56}, []int{1, 56, 1}},
	} {
		b.Run(fmt.Sprintf("%s/%v+%v", c.name, c.a, c.b), func(b *testing.B) {
			x, _ := tensor.New(tensor.Float32, c.a...)
			y, _ := tensor.New(tensor.Float32, c.b...)
			ctx := &Ctx{Opset: 17, Pool: &tensor.Pool{}}
			n := mtNode("Add")
			in := []*tensor.Tensor{x, y}
			out, _ := addKernel(ctx, n, in)
			b.SetBytes(int64(4 * out[0].Len()))
			ctx.Pool.Put(out[0])
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out, err := addKernel(ctx, n, in)
				if err != nil {
					b.Fatal(err)
				}
				ctx.Pool.Put(out[0])
			}
		})
	}
}
