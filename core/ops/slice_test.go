package ops

import (
	"fmt"
	"math"
	"testing"

	"fixq/core/tensor"
)

// sliceRef1D walks the indices the ONNX spec's Slice text describes: like
// Python's x[start:end:step], except that a start before the beginning is
// clamped to 0 for negative steps too (spec: "[0, dims-1] for negative
// stepping"; Python would give an empty slice).
func sliceRef1D(dim int, start, end, step int64) []int {
	norm := func(v int64, lo, hi int64) int64 {
		if v < 0 {
			v += int64(dim)
		}
		return max(lo, min(v, hi))
	}
	var out []int
	if dim == 0 {
		return nil // the clamping ranges are empty
	}
	if step > 0 {
		for i := norm(start, 0, int64(dim)); i < norm(end, 0, int64(dim)); i += step {
			out = append(out, int(i))
			if i > math.MaxInt64-step {
				break
			}
		}
	} else {
		for i := norm(start, 0, int64(dim)-1); i > norm(end, -1, int64(dim)-1); i += step {
			out = append(out, int(i))
			if i < math.MinInt64-step {
				break
			}
		}
	}
	return out
}

func TestSlice1DAgainstPython(t *testing.T) {
	for _, dim := range []int{7, 1, 0} {
		sliceCheck1D(t, dim)
	}
}

func sliceCheck1D(t *testing.T, dim int) {
	x := shapeF32Seq(dim)
	vals := []int64{math.MinInt64, -9, -7, -3, -1, 0, 1, 3, 6, 7, 9, math.MaxInt64}
	for _, s := range vals {
		for _, e := range vals {
			for _, st := range []int64{1, 2, 5, -1, -3, math.MaxInt64, math.MinInt64} {
				want := []float32{}
				for _, i := range sliceRef1D(dim, s, e, st) {
					want = append(want, float32(i))
				}
				got := shapeRun(t, 13, shapeNode("Slice", 1), x, shapeI64(s), shapeI64(e), shapeI64(0), shapeI64(st))[0]
				shapeWantF32(t, fmt.Sprintf("dim %d [%d:%d:%d]", dim, s, e, st), got, []int{len(want)}, want, 0)
			}
		}
	}
}

func TestSliceForms(t *testing.T) {
	x := shapeF32Seq(3, 4)
	// Opset 9 attributes: rows 1:, columns 0:2 (axes default to 0, 1).
	got := shapeRun(t, 9, shapeNode("Slice", 1, shapeAInts("starts", 1, 0), shapeAInts("ends", 1000, 2)), x)[0]
	shapeWantF32(t, "opset 9", got, []int{2, 2}, []float32{4, 5, 8, 9}, 0)
	// Opset 13, axes -1, reversed columns, int32 starts/ends.
	i32 := func(v int32) *tensor.Tensor {
		return &tensor.Tensor{DType: tensor.Int32, Shape: []int{1}, I32: []int32{v}}
	}
	got = shapeRun(t, 13, shapeNode("Slice", 1), x, i32(-1), i32(math.MinInt32), shapeI64(-1), shapeI64(-2))[0]
	shapeWantF32(t, "reverse step 2", got, []int{3, 2}, []float32{3, 1, 7, 5, 11, 9}, 0)
	// Bool data, empty result.
	b := tensor.MustNew(tensor.Bool, 3, 4)
	got = shapeRun(t, 13, shapeNode("Slice", 1), b, shapeI64(2), shapeI64(1))[0]
	shapeWant(t, "empty", got, tensor.MustNew(tensor.Bool, 0, 4))
}

func TestSliceErrors(t *testing.T) {
	x := shapeF32Seq(3, 4)
	n := shapeNode("Slice", 1)
	shapeWantErr(t, 13, n, "step for axis 0 is 0", x, shapeI64(0), shapeI64(1), shapeI64(0), shapeI64(0))
	shapeWantErr(t, 13, n, "sliced twice", x, shapeI64(0, 0), shapeI64(1, 1), shapeI64(0, -2))
	shapeWantErr(t, 13, n, "ends 1", x, shapeI64(0, 0), shapeI64(1))
	shapeWantErr(t, 13, n, "out of range", x, shapeI64(0), shapeI64(1), shapeI64(2))
	shapeWantErr(t, 13, n, "input 2 (ends) is missing", x, shapeI64(0))
	shapeWantErr(t, 13, n, "has rank 2", x, shapeI64(0, 0, 0), shapeI64(1, 1, 1))
	shapeWantErr(t, 9, shapeNode("Slice", 1, shapeAInts("starts", 0)), "required", x)
}
