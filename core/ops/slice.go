package ops

import (
	"fixq/core/graph"
	"fixq/core/tensor"
)

// sliceKernel implements Slice: out takes, along each listed axis, the
// elements start, start+step, ... before end. Before opset 10 starts, ends
// and axes are attributes (step 1); from opset 10 they are inputs (starts,
// ends, axes, steps). Negative starts/ends count from the end; both are
// clamped as the ONNX spec says ([0, dim] for positive steps, [0, dim-1]
// and [-1, dim-1] for negative ones), so INT64_MAX means "to the end".
func sliceKernel(c *Ctx, n *graph.Node, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, err := shapeData(n, in)
	if err != nil {
		return nil, err
	}
	var starts, ends, axes, steps []int64
	var haveAxes, haveSteps bool
	if shapeOpset(c) < 10 {
		if err := shapeCheckAttrs(n, "starts", "ends", "axes"); err != nil {
			return nil, err
		}
		if !n.Has("starts") || !n.Has("ends") {
			return nil, n.Errorf("attributes starts and ends are required before opset 10")
		}
		if starts, err = n.AttrInts("starts", nil); err != nil {
			return nil, err
		}
		if ends, err = n.AttrInts("ends", nil); err != nil {
			return nil, err
		}
		haveAxes = n.Has("axes")
		if axes, err = n.AttrInts("axes", nil); err != nil {
			return nil, err
		}
	} else {
		if err := shapeCheckAttrs(n); err != nil {
			return nil, err
		}
		var ok bool
		if starts, ok, err = shapeInts(n, in, 1, "starts"); err != nil {
			return nil, err
		} else if !ok {
			return nil, n.Errorf("input 1 (starts) is missing")
		}
		if ends, ok, err = shapeInts(n, in, 2, "ends"); err != nil {
			return nil, err
		} else if !ok {
			return nil, n.Errorf("input 2 (ends) is missing")
		}
		if axes, haveAxes, err = shapeInts(n, in, 3, "axes"); err != nil {
			return nil, err
		}
		if steps, haveSteps, err = shapeInts(n, in, 4, "steps"); err != nil {
			return nil, err
		}
	}
	rank := x.Rank()
	if len(ends) != len(starts) {
		return nil, n.Errorf("starts has %d values, ends %d", len(starts), len(ends))
	}
	if haveAxes && len(axes) != len(starts) {
		return nil, n.Errorf("axes has %d values, starts %d", len(axes), len(starts))
	}
	if haveSteps && len(steps) != len(starts) {
		return nil, n.Errorf("steps has %d values, starts %d", len(steps), len(starts))
	}
	if !haveAxes && len(starts) > rank {
		return nil, n.Errorf("starts has %d values, input %v has rank %d", len(starts), x.Shape, rank)
	}
	// Per axis: first index, step and length; untouched axes take all.
	first := make([]int, rank)
	step := make([]int, rank)
	length := append([]int(nil), x.Shape...)
	for d := range step {
		step[d] = 1
	}
	seen := make([]bool, rank)
	for i := range starts {
		d := i
		if haveAxes {
			if d, err = shapeAxis(n, "axis", axes[i], rank, false); err != nil {
				return nil, err
			}
		}
		if seen[d] {
			return nil, n.Errorf("axis %d is sliced twice", d)
		}
		seen[d] = true
		s := int64(1)
		if haveSteps {
			s = steps[i]
		}
		if s == 0 {
			return nil, n.Errorf("step for axis %d is 0", d)
		}
		f, st, l := sliceRange(starts[i], ends[i], s, int64(x.Shape[d]))
		first[d], step[d], length[d] = int(f), int(st), int(l)
	}
	out, err := shapeAlloc(c, n, x.DType, length)
	if err != nil {
		return nil, err
	}
	strides := shapeStrides(x.Shape)
	tabs := make([][]int, rank)
	for d := range tabs {
		t := make([]int, length[d])
		for o := range t {
			t[o] = (first[d] + o*step[d]) * strides[d]
		}
		tabs[d] = t
	}
	shapeGatherTensor(out, x, tabs, nil)
	return []*tensor.Tensor{out}, nil
}

// sliceRange applies the ONNX Slice clamping rules to one axis of length
// dim and returns the first index, the step (its magnitude capped at
// dim+1, which takes the same elements without overflow) and the number
// of elements taken.
func sliceRange(start, end, step, dim int64) (first, stride, length int64) {
	if dim == 0 {
		return 0, 1, 0
	}
	step = max(-dim-1, min(step, dim+1))
	if start < 0 {
		start += dim
	}
	if end < 0 {
		end += dim
	}
	if step > 0 {
		start = max(0, min(start, dim))
		end = max(0, min(end, dim))
		if end <= start {
			return start, step, 0
		}
		return start, step, (end-start-1)/step + 1
	}
	start = max(0, min(start, dim-1))
	end = max(-1, min(end, dim-1))
	if start <= end {
		return start, step, 0
	}
	return start, step, (start-end-1)/(-step) + 1
}
