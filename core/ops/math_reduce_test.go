package ops

import (
	"math"
	"testing"

	"fixq/core/tensor"
)

// mtReduceRef reduces x (shape) over the axes marked in red by visiting,
// for every input element, the output element it belongs to, combining
// in float64 with f from init; fin finishes each output given the count.
func mtReduceRef(x []float32, shape []int, red []bool, init float64, f func(acc, v float64) float64, fin func(acc float64, count int) float64) (out []float32, keep []int) {
	keep = make([]int, len(shape))
	outN, count := 1, 1
	for i, d := range shape {
		keep[i] = d
		if red[i] {
			keep[i] = 1
			count *= d
		}
		outN *= keep[i]
	}
	acc := make([]float64, outN)
	for i := range acc {
		acc[i] = init
	}
	idx := make([]int, len(shape))
	for i, v := range x {
		rem := i
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d] = rem % shape[d]
			rem /= shape[d]
		}
		o := 0
		for d := range shape {
			j := idx[d]
			if red[d] {
				j = 0
			}
			o = o*keep[d] + j
		}
		acc[o] = f(acc[o], float64(v))
	}
	out = make([]float32, outN)
	for i, a := range acc {
		out[i] = float32(fin(a, count))
	}
	return out, keep
}

type mtReduceOp struct {
	op    string
	since int64 // axes become an input
	init  float64
	f     func(acc, v float64) float64
	fin   func(acc float64, count int) float64
}

var mtReduceOps = []mtReduceOp{
	{"ReduceSum", 13, 0, func(a, v float64) float64 { return a + v }, func(a float64, _ int) float64 { return a }},
	{"ReduceMean", 18, 0, func(a, v float64) float64 { return a + v }, func(a float64, n int) float64 { return a / float64(n) }},
	{"ReduceMax", 18, math.Inf(-1), math.Max, func(a float64, _ int) float64 { return a }},
	{"ReduceMin", 18, math.Inf(1), math.Min, func(a float64, _ int) float64 { return a }},
	{"ReduceProd", 18, 1, func(a, v float64) float64 { return a * v }, func(a float64, _ int) float64 { return a }},
	{"ReduceL1", 18, 0, func(a, v float64) float64 { return a + math.Abs(v) }, func(a float64, _ int) float64 { return a }},
	{"ReduceL2", 18, 0, func(a, v float64) float64 { return a + v*v }, func(a float64, _ int) float64 { return math.Sqrt(a) }},
	{"ReduceSumSquare", 18, 0, func(a, v float64) float64 { return a + v*v }, func(a float64, _ int) float64 { return a }},
}

// mtReduceCommon checks one Reduce op against mtReduceRef for every subset
// of axes of a [2,3,4,5] input, keepdims on and off, with axes as an
// attribute (the opset before `since`) and as an input (`since`), then the
// special cases and errors.
func mtReduceCommon(t *testing.T, op string) {
	t.Helper()
	var r mtReduceOp
	for _, o := range mtReduceOps {
		if o.op == op {
			r = o
		}
	}
	shape := []int{2, 3, 4, 5}
	x := make([]float32, 120)
	for i := range x {
		x[i] = float32((i*29)%17)/8 - 0.9 // products stay in range
	}
	xt := tensor.FromFloat32(x, shape...)
	for mask := 0; mask < 16; mask++ {
		red := make([]bool, 4)
		var axes []int64
		for a := 0; a < 4; a++ {
			if mask&(1<<a) != 0 {
				red[a] = true
				axes = append(axes, int64(a)-4*int64(a%2)) // mix negative axes in
			}
		}
		if mask == 0 { // no axes: reduce everything
			red = []bool{true, true, true, true}
		}
		want, keep := mtReduceRef(x, shape, red, r.init, r.f, r.fin)
		var squeezed []int
		for i, d := range keep {
			if !red[i] {
				squeezed = append(squeezed, d)
			}
		}
		for _, keepdims := range []int64{1, 0} {
			wshape := keep
			if keepdims == 0 {
				wshape = squeezed
			}
			wt := tensor.FromFloat32(want, wshape...)
			n := mtNode(op, mtAInt("keepdims", keepdims))
			if axes != nil {
				n.SetAttr(mtAInts("axes", axes...))
			}
			mtWant(t, r.since-1, n, wt, xt)
			n = mtNode(op, mtAInt("keepdims", keepdims))
			if axes != nil {
				mtWant(t, r.since, n, wt, xt, mtI64([]int{len(axes)}, axes...))
			} else {
				mtWant(t, r.since, n, wt, xt)
				mtWant(t, r.since, n, wt, xt, mtI64([]int{0}))
			}
		}
	}
	// noop_with_empty_axes reduces over no axes: only the elementwise part.
	noop, _ := mtReduceRef(x, shape, make([]bool, 4), r.init, r.f, r.fin)
	mtWant(t, r.since, mtNode(op, mtAInt("noop_with_empty_axes", 1)), tensor.FromFloat32(noop, shape...), xt, mtI64([]int{0}))
	mtWant(t, r.since, mtNode(op, mtAInt("noop_with_empty_axes", 1)), tensor.FromFloat32(noop, shape...), xt)
	// A scalar and a reduction over an empty dim.
	mtWant(t, r.since, mtNode(op), mtF32(nil, float32(r.fin(r.f(r.init, 3), 1))), mtF32(nil, 3))
	empty, _ := mtReduceRef(nil, []int{2, 0}, []bool{false, true}, r.init, r.f, r.fin)
	mtWant(t, r.since, mtNode(op), mtF32([]int{2, 1}, empty...), mtF32([]int{2, 0}), mtI64([]int{1}, 1))

	mtWantErr(t, r.since, mtNode(op), []string{"axis 4 is out of range for rank 4"}, xt, mtI64([]int{1}, 4))
	mtWantErr(t, r.since, mtNode(op), []string{"repeat axis 1"}, xt, mtI64([]int{2}, 1, -3))
	mtWantErr(t, r.since, mtNode(op, mtAInts("axes", 1)), []string{"axes is an input since opset"}, xt)
	mtWantErr(t, r.since, mtNode(op), []string{"axes input: ", "integer"}, xt, mtF32([]int{1}, 1))
	mtWantErr(t, r.since-1, mtNode(op, mtAInt("noop_with_empty_axes", 1)), []string{`unsupported attribute "noop_with_empty_axes"`}, xt)
	mtWantErr(t, r.since-1, mtNode(op), []string{"has 2 inputs, want 1"}, xt, mtI64([]int{1}, 0))
	mtWantErr(t, r.since, mtNode(op), []string{"bool", "not supported"}, mtBool(nil, true))

	// Integers: exact, in the input type.
	iv := []float64{7, -3, 2, 100, -50, 9}
	ints := []tensor.DType{tensor.Int64, tensor.Int32}
	if op == "ReduceMax" || op == "ReduceMin" {
		ints = append(ints, tensor.Int8, tensor.Uint8)
		iv = []float64{7, 3, 2, 100, 50, 9}
	}
	for _, dt := range ints {
		xi := mtCastF64(dt, []int{2, 3}, iv)
		if op == "ReduceL2" {
			mtWantErr(t, r.since, mtNode(op), []string{dt.String(), "not supported"}, xi)
			continue
		}
		w := make([]float64, 2)
		for i := range w {
			a := r.init
			for _, v := range iv[3*i : 3*i+3] {
				a = r.f(a, v)
			}
			w[i] = math.Trunc(r.fin(a, 3)) // integer mean truncates
		}
		mtWant(t, r.since, mtNode(op, mtAInt("keepdims", 0)), mtCastF64(dt, []int{2}, w), xi, mtI64([]int{1}, 1))
	}
}
