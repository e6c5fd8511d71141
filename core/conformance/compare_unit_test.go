package conformance

import (
	"math"
	"strings"
	"testing"

	"fixq/core/tensor"
)

// The comparison rules are the harness's own logic: check that they can
// fail, at the edges numpy's allclose defines.
func TestCompareONNX(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	f := func(v ...float32) *tensor.Tensor { return tensor.FromFloat32(v, len(v)) }
	for _, c := range []struct {
		name      string
		got, want *tensor.Tensor
		ok        bool
	}{
		{"equal", f(1, 2), f(1, 2), true},
		{"within rtol", f(1000.9), f(1000), true},
		{"beyond rtol", f(1001.1), f(1000), false},
		{"within atol at zero", f(5e-8), f(0), true},
		{"beyond atol at zero", f(2e-7), f(0), false},
		{"nan matches nan", f(nan), f(nan), true},
		{"nan vs number", f(nan), f(1), false},
		{"number vs nan", f(1), f(nan), false},
		{"inf", f(inf), f(inf), true},
		{"inf vs -inf", f(inf), f(-inf), false},
		{"shape", f(1, 2), tensor.FromFloat32([]float32{1, 2}, 1, 2), false},
		{"dtype", tensor.FromInt64([]int64{1}, 1), f(1), false},
		{"int64 exact", tensor.FromInt64([]int64{1<<62 + 1}, 1), tensor.FromInt64([]int64{1 << 62}, 1), false},
		{"int64 equal", tensor.FromInt64([]int64{-3}, 1), tensor.FromInt64([]int64{-3}, 1), true},
		{"bool", &tensor.Tensor{DType: tensor.Bool, Shape: []int{1}, B: []bool{true}}, &tensor.Tensor{DType: tensor.Bool, Shape: []int{1}, B: []bool{false}}, false},
	} {
		err := compareONNX(c.got, c.want, onnxRtol, onnxAtol)
		if (err == nil) != c.ok {
			t.Errorf("%s: compareONNX = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestRelErr(t *testing.T) {
	abs, rel := relErr([]float32{1, 2, -4}, []float32{1, 2.5, -5})
	if math.Abs(abs-1) > 1e-9 || math.Abs(rel-0.2) > 1e-9 {
		t.Errorf("relErr = %v, %v; want 1, 0.2", abs, rel)
	}
	if _, rel := relErr([]float32{float32(math.NaN())}, []float32{1}); !(rel > 1) {
		t.Errorf("NaN must fail the metric, rel = %v", rel)
	}
}

func TestClassifyAndReasons(t *testing.T) {
	if o := classify("run", errString(`node "x" (Resize): mode "cubic" is not supported`)); o.kind != kindExcluded {
		t.Errorf("unsupported attribute: %+v, want excluded", o)
	}
	if o := classify("run", errString(`node "x" (Add): shapes [2] and [3] do not broadcast`)); o.kind != kindFail {
		t.Errorf("plain error: %+v, want fail", o)
	}
	if o := classify("run", errString(`node "x" (Add): internal error: index out of range (unsupported)`)); o.kind != kindFail {
		t.Errorf("panic: %+v, want fail", o)
	}
	got := opsInReason("unsupported ops If (out of scope: control flow), ai.onnx.ml:Foo (out of scope: ONNX-ML domain), Abs; unsupported dtype float64")
	if strings.Join(got, ",") != "If,ai.onnx.ml:Foo,Abs" {
		t.Errorf("opsInReason = %v", got)
	}
	if got := opsInReason("unsupported op LSTM (out of scope: recurrent)"); strings.Join(got, ",") != "LSTM" {
		t.Errorf("opsInReason = %v", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestClassifyDtypeRefusal(t *testing.T) {
	o := classify("run", errString(`node "MaxPool_0" (MaxPool): input 0 (X) is uint8, want float32`))
	if o.kind != kindExcluded || o.category != "unsupported dtype" {
		t.Errorf("dtype refusal: %+v, want excluded as unsupported dtype", o)
	}
}
