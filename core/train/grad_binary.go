package train

import (
	"fixq/core/tensor"
)

// bcastStrides returns the strides of a tensor of shape in broadcast to
// out (numpy rules, aligned on the right): 0 on broadcast axes. ok is
// false if in does not broadcast to out.
func bcastStrides(in, out []int) (strides []int, ok bool) {
	strides = make([]int, len(out))
	if len(in) > len(out) {
		return nil, false
	}
	st := 1
	for k := len(in) - 1; k >= 0; k-- {
		j := k + len(out) - len(in)
		switch in[k] {
		case out[j]:
			if in[k] != 1 {
				strides[j] = st
			}
		case 1:
		default:
			return nil, false
		}
		st *= in[k]
	}
	return strides, true
}

// binaryBackward is Add, Sub, Mul and Div with numpy broadcasting: each
// input's gradient sums over the axes it was broadcast along.
func binaryBackward(net *Net, s *step) error {
	if len(s.in) != 2 || s.in[0] < 0 || s.in[1] < 0 {
		return s.node.Errorf("train: want two inputs")
	}
	a, b, y := net.vals[s.in[0]], net.vals[s.in[1]], net.vals[s.out[0]]
	if a.DType != tensor.Float32 || b.DType != tensor.Float32 {
		return s.node.Errorf("train: inputs are not float32")
	}
	da, db := net.gradFor(s, 0), net.gradFor(s, 1)
	if da == nil && db == nil {
		return nil
	}
	dy := net.grads[s.out[0]]
	sa, ok1 := bcastStrides(a.Shape, y.Shape)
	sb, ok2 := bcastStrides(b.Shape, y.Shape)
	if !ok1 || !ok2 || len(dy) != len(y.F32) {
		return s.node.Errorf("train: shapes %v and %v do not broadcast to %v", a.Shape, b.Shape, y.Shape)
	}
	op := s.node.OpType
	r := len(y.Shape)
	if r == 0 {
		sa, sb = []int{0}, []int{0}
		r = 1
	}
	last := 1
	if len(y.Shape) > 0 {
		last = y.Shape[r-1]
	}
	if last == 0 || len(dy) == 0 {
		return nil
	}
	stA, stB := sa[r-1], sb[r-1]
	idx := make([]int, r) // odometer over all axes but the last
	ai, bi := 0, 0
	for o := 0; o < len(dy); o += last {
		g := dy[o : o+last]
		switch op {
		case "Add", "Sub":
			sign := float32(1)
			if op == "Sub" {
				sign = -1
			}
			for k, v := range g {
				if da != nil {
					da[ai+k*stA] += v
				}
				if db != nil {
					db[bi+k*stB] += sign * v
				}
			}
		case "Mul":
			for k, v := range g {
				if da != nil {
					da[ai+k*stA] += v * b.F32[bi+k*stB]
				}
				if db != nil {
					db[bi+k*stB] += v * a.F32[ai+k*stA]
				}
			}
		case "Div":
			for k, v := range g {
				bv := b.F32[bi+k*stB]
				if da != nil {
					da[ai+k*stA] += v / bv
				}
				if db != nil {
					db[bi+k*stB] -= v * a.F32[ai+k*stA] / (bv * bv)
				}
			}
		}
		// Advance the odometer over axes r-2 ... 0.
		for k := r - 2; k >= 0; k-- {
			idx[k]++
			ai += sa[k]
			bi += sb[k]
			if idx[k] < y.Shape[k] {
				break
			}
			ai -= sa[k] * idx[k]
			bi -= sb[k] * idx[k]
			idx[k] = 0
		}
	}
	return nil
}
