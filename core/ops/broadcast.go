package ops

import (
	"fmt"

	"fixq/core/tensor"
)

// Numpy-style (ONNX "multidirectional") broadcasting, shared by every
// elementwise kernel with more than one input.
//
// A bcPlan turns the broadcast into rows: the output is walked in rows of
// `inner` contiguous elements, and along a row every input either advances
// by one element (stride 1) or repeats one element (stride 0). Size-1
// output dims are dropped and adjacent dims that are contiguous for every
// input are merged first, so the common cases cost one row (same shapes,
// scalar operand) or one row per channel (a [C,1,1] bias on [N,C,H,W]).
// Kernels write three plain loops (vector-vector, vector-scalar,
// scalar-vector) and never do per-element index arithmetic.

// bcShape is the multidirectional broadcast of shapes: shapes are aligned on
// their last dim and each dim must be equal across shapes or 1.
func bcShape(shapes ...[]int) ([]int, error) {
	r := 0
	for _, s := range shapes {
		r = max(r, len(s))
	}
	out := make([]int, r)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := r - len(s)
		for i, d := range s {
			o := &out[off+i]
			switch {
			case d == *o || d == 1:
			case *o == 1:
				*o = d
			default:
				return nil, fmt.Errorf("shapes %s cannot be broadcast: %d vs %d at dim %d (counted from the end)", bcFormat(shapes), *o, d, i-len(s))
			}
		}
	}
	if _, err := tensor.NumElements(out); err != nil {
		return nil, err
	}
	return out, nil
}

// bcFormat prints shapes as "[3 4], [5]" for error messages.
func bcFormat(shapes [][]int) string {
	s := ""
	for i, sh := range shapes {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(sh)
	}
	return s
}

// bcMaxInputs is the most operands a plan handles (Where has three).
const bcMaxInputs = 3

// bcPlan walks an output shape in rows; see the comment at the top of the
// file. Build it with newBcPlan.
type bcPlan struct {
	n     int // output elements
	inner int // elements per row
	rows  int
	// dims are the merged outer dims (outermost first) and st[k] the
	// element stride of input k along each of them (0 = broadcast).
	dims []int
	st   [bcMaxInputs][]int
	// is[k] is input k's stride along a row: 1, or 0 when the row repeats
	// one element of input k.
	is [bcMaxInputs]int
	k  int
}

// newBcPlan plans broadcasting each of ins (at most bcMaxInputs shapes) to
// out. Every input must broadcast to out unidirectionally: aligned on the
// last dim, each input dim equals out's or is 1.
func newBcPlan(out []int, ins ...[]int) (*bcPlan, error) {
	if len(ins) > bcMaxInputs {
		panic("ops: newBcPlan: too many inputs")
	}
	n, err := tensor.NumElements(out)
	if err != nil {
		return nil, err
	}
	p := &bcPlan{n: n, k: len(ins), inner: 1}
	r := len(out)
	// Full strides of each input over out's dims, 0 where broadcast.
	var full [bcMaxInputs][]int
	fullBuf := make([]int, r*len(ins))
	for k, s := range ins {
		if len(s) > r {
			return nil, fmt.Errorf("shape %v does not broadcast to %v: it has more dims", s, out)
		}
		st := fullBuf[k*r : (k+1)*r]
		stride := 1
		for i := r - 1; i >= 0; i-- {
			j := i - (r - len(s))
			d := 1
			if j >= 0 {
				d = s[j]
			}
			switch {
			case d == out[i]:
				st[i] = stride
			case d == 1:
				st[i] = 0
			default:
				return nil, fmt.Errorf("shape %v does not broadcast to %v: dim %d is %d, want %d or 1", s, out, j, d, out[i])
			}
			stride *= d
		}
		full[k] = st
	}
	if n == 0 {
		return p, nil
	}
	// Merge from the innermost dim outwards, skipping size-1 dims. A group
	// has a size and each input's stride at its innermost dim; dim i joins
	// it when every input is contiguous across the seam.
	type group struct {
		size int
		st   [bcMaxInputs]int
	}
	groups := make([]group, 0, r) // innermost first
	for i := r - 1; i >= 0; i-- {
		if out[i] == 1 {
			continue
		}
		if len(groups) > 0 {
			g := &groups[len(groups)-1]
			ok := true
			for k := range ins {
				if full[k][i] != g.st[k]*g.size {
					ok = false
					break
				}
			}
			if ok {
				g.size *= out[i]
				continue
			}
		}
		var g group
		g.size = out[i]
		for k := range ins {
			g.st[k] = full[k][i]
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 { // every dim is 1: a single element
		p.rows = 1
		for k := range ins {
			p.is[k] = 1
		}
		return p, nil
	}
	p.inner = groups[0].size
	for k := range ins {
		p.is[k] = groups[0].st[k]
	}
	p.rows = n / p.inner
	outer := groups[1:]
	buf := make([]int, len(outer)*(1+len(ins)))
	p.dims = buf[:len(outer)]
	for k := range ins {
		p.st[k] = buf[(k+1)*len(outer) : (k+2)*len(outer)]
	}
	for j, g := range outer {
		d := len(outer) - 1 - j // groups are innermost first
		p.dims[d] = g.size
		for k := range ins {
			p.st[k][d] = g.st[k]
		}
	}
	return p, nil
}

// forRows calls fn for every row with the output offset of the row and
// the offset of each input's first element in it (unused inputs get 0).
func (p *bcPlan) forRows(fn func(o int, off [bcMaxInputs]int)) {
	if p.rows == 0 {
		return
	}
	if len(p.dims) == 0 {
		fn(0, [bcMaxInputs]int{})
		return
	}
	var idxBuf [8]int
	idx := idxBuf[:0]
	if len(p.dims) <= len(idxBuf) {
		idx = idxBuf[:len(p.dims)]
	} else {
		idx = make([]int, len(p.dims))
	}
	var off [bcMaxInputs]int
	for r := 0; r < p.rows; r++ {
		fn(r*p.inner, off)
		for d := len(p.dims) - 1; d >= 0; d-- {
			idx[d]++
			for k := 0; k < p.k; k++ {
				off[k] += p.st[k][d]
			}
			if idx[d] < p.dims[d] {
				break
			}
			for k := 0; k < p.k; k++ {
				off[k] -= p.st[k][d] * p.dims[d]
			}
			idx[d] = 0
		}
	}
}

// bcRowFn computes one row: d[i] = op(a[i*as], b[i*bs]) for i < len(d),
// where as and bs are 0 or 1 and never both 0.
type bcRowFn[A, B, U any] func(d []U, a []A, b []B, as, bs int)

// bcApply computes d = op(a, b) with a of shape as and b of shape bs
// broadcast to out (len(d) elements). It takes the no-plan fast paths for
// equal shapes and scalar operands.
func bcApply[A, B, U any](out []int, d []U, a []A, ash []int, b []B, bsh []int, row bcRowFn[A, B, U]) error {
	if len(d) == 0 {
		return nil
	}
	switch {
	case len(a) == len(d) && len(b) == len(d) && tensor.SameShape(ash, out) && tensor.SameShape(bsh, out):
		row(d, a, b, 1, 1)
		return nil
	case len(a) == len(d) && len(b) == 1 && tensor.SameShape(ash, out):
		row(d, a, b, 1, 0)
		return nil
	case len(a) == 1 && len(b) == len(d) && tensor.SameShape(bsh, out):
		row(d, a, b, 0, 1)
		return nil
	}
	p, err := newBcPlan(out, ash, bsh)
	if err != nil {
		return err
	}
	if p.is[0] == 0 && p.is[1] == 0 {
		// Only when out is larger than both inputs' broadcast (never for
		// a plain binary op): compute one element, repeat it.
		p.forRows(func(o int, off [bcMaxInputs]int) {
			row(d[o:o+1], a[off[0]:], b[off[1]:], 0, 1)
			v := d[o]
			for i := o + 1; i < o+p.inner; i++ {
				d[i] = v
			}
		})
		return nil
	}
	p.forRows(func(o int, off [bcMaxInputs]int) {
		row(d[o:o+p.inner], a[off[0]:], b[off[1]:], p.is[0], p.is[1])
	})
	return nil
}

// bcExpand copies src (shape ssh) broadcast to out into d.
func bcExpand[T any](out []int, d []T, src []T, ssh []int) error {
	if len(d) == 0 {
		return nil
	}
	if len(src) == len(d) {
		copy(d, src)
		return nil
	}
	p, err := newBcPlan(out, ssh)
	if err != nil {
		return err
	}
	p.forRows(func(o int, off [bcMaxInputs]int) {
		row := d[o : o+p.inner]
		if p.is[0] == 1 {
			copy(row, src[off[0]:])
			return
		}
		v := src[off[0]]
		for i := range row {
			row[i] = v
		}
	})
	return nil
}
