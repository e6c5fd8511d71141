package conformance

import (
	"fmt"
	"math"

	"fixq/core/tensor"
)

// ONNX's backend test runner compares float outputs with
// numpy.testing.assert_allclose(rtol=1e-3, atol=1e-7) (onnx/backend/test/
// runner/__init__.py, the defaults for every node case).
const (
	onnxRtol = 1e-3
	onnxAtol = 1e-7
)

// closeEnough is numpy's allclose rule for one element: NaN matches NaN,
// equal infinities match, otherwise |got-want| <= atol + rtol*|want|.
func closeEnough(got, want, rtol, atol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if got == want {
		return true
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return false
	}
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

// compareONNX checks got against want: same dtype and shape, floats within
// rtol/atol, everything else exact. The error says how many elements
// differ and shows the worst one.
func compareONNX(got, want *tensor.Tensor, rtol, atol float64) error {
	if got == nil {
		return fmt.Errorf("no output")
	}
	if got.DType != want.DType {
		return fmt.Errorf("dtype %v, want %v", got.DType, want.DType)
	}
	if !tensor.SameShape(got.Shape, want.Shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	}
	if err := got.Validate(); err != nil {
		return err
	}
	n := want.Len()
	bad, worst := 0, -1
	worstErr := -1.0
	for i := 0; i < n; i++ {
		g, w := elem(got, i), elem(want, i)
		ok := g == w
		switch want.DType {
		case tensor.Float32:
			ok = closeEnough(g, w, rtol, atol)
		case tensor.Int64:
			ok = got.I64[i] == want.I64[i]
		}
		if ok {
			continue
		}
		bad++
		e := math.Abs(g - w)
		if math.IsNaN(e) || math.IsInf(e, 0) {
			e = math.MaxFloat64
		}
		if e > worstErr {
			worstErr, worst = e, i
		}
	}
	if bad == 0 {
		return nil
	}
	if want.DType == tensor.Int64 {
		return fmt.Errorf("%d of %d elements differ, first worst at %d: got %d, want %d",
			bad, n, worst, got.I64[worst], want.I64[worst])
	}
	return fmt.Errorf("%d of %d elements differ, worst at %d: got %v, want %v",
		bad, n, worst, elem(got, worst), elem(want, worst))
}

// elem reads element i of any supported dtype as a float64 (exact for
// every dtype but int64, which compareONNX compares as int64).
func elem(t *tensor.Tensor, i int) float64 {
	switch t.DType {
	case tensor.Float32:
		return float64(t.F32[i])
	case tensor.Uint8:
		return float64(t.U8[i])
	case tensor.Int8:
		return float64(t.I8[i])
	case tensor.Int32:
		return float64(t.I32[i])
	case tensor.Int64:
		return float64(t.I64[i])
	case tensor.Bool:
		if t.B[i] {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// relErr is the metric for real models against onnxruntime: the largest
// absolute difference, and that divided by the largest |ref| (so outputs of
// any scale are judged alike; 0/0 counts as 0).
func relErr(got, ref []float32) (maxAbs, rel float64) {
	var maxRef float64
	for i := range ref {
		d := math.Abs(float64(got[i]) - float64(ref[i]))
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		maxAbs = math.Max(maxAbs, d)
		maxRef = math.Max(maxRef, math.Abs(float64(ref[i])))
	}
	if maxAbs == 0 {
		return 0, 0
	}
	return maxAbs, maxAbs / maxRef
}
