package ops

import (
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// resizeTorchX is the input of the PyTorch-derived cases: shape
// [1,2,3,4], channel 0 = 0.5*i-1, channel 1 = its square.
func resizeTorchX() *tensor.Tensor {
	return tensor.FromFloat32([]float32{-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5,
		25, 30.25, 36, 42.25, 49, 56.25, 64, 72.25, 81, 90.25, 100, 110.25}, 1, 2, 3, 4)
}

// Outputs of torch.nn.functional.interpolate (PyTorch, float32) on
// resizeTorchX: bilinear to (5,7) with align_corners False and True,
// bilinear to (2,3), nearest with scale_factor 2.
var (
	resizeTorchBilinear = []float32{-1, -0.82142854, -0.53571427, -0.24999994, 0.035714343, 0.32142866, 0.5, -0.19999993, -0.02142846, 0.2642858, 0.55000007, 0.8357144, 1.1214287, 1.3000001, 1.0000001, 1.1785716, 1.4642859, 1.7500001, 2.0357146, 2.3214288, 2.5, 2.2, 2.3785715, 2.6642857, 2.95, 3.2357147, 3.5214288, 3.7, 3, 3.1785712, 3.4642856, 3.75, 4.0357146, 4.3214288, 4.5,
		25, 26.875, 29.875, 33.125, 36.44643, 40.017857, 42.25, 34.600002, 36.760715, 40.217857, 43.925003, 47.703571, 51.732143, 54.250004, 49, 51.589291, 55.732147, 60.125004, 64.589287, 69.303574, 72.25, 68.200005, 71.217857, 76.046432, 81.125, 86.275009, 91.675003, 95.050011, 81, 84.303574, 89.589287, 95.125, 100.73215, 106.58929, 110.25001}
	resizeTorchAlign = []float32{-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 3, 3.25, 3.5, 3.75, 4, 4.25, 4.5,
		25, 27.625, 30.25, 33.125, 36, 39.125, 42.25, 37, 40.125, 43.25, 46.625, 50, 53.625, 57.25, 49, 52.625, 56.25, 60.125, 64, 68.125, 72.25, 65, 69.125, 73.25, 77.625, 82, 86.625, 91.25, 81, 85.625, 90.25, 95.125, 100, 105.125, 110.25}
	resizeTorchDown    = []float32{-0.41666663, 0.25000003, 0.91666669, 2.5833333, 3.25, 3.916667, 31.958332, 39.875, 48.625, 74.458336, 86.375, 99.125}
	resizeTorchNearest = []float32{-1, -1, -0.5, -0.5, 0, 0, 0.5, 0.5, -1, -1, -0.5, -0.5, 0, 0, 0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 2.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 2.5, 3, 3, 3.5, 3.5, 4, 4, 4.5, 4.5, 3, 3, 3.5, 3.5, 4, 4, 4.5, 4.5,
		25, 25, 30.25, 30.25, 36, 36, 42.25, 42.25, 25, 25, 30.25, 30.25, 36, 36, 42.25, 42.25, 49, 49, 56.25, 56.25, 64, 64, 72.25, 72.25, 49, 49, 56.25, 56.25, 64, 64, 72.25, 72.25, 81, 81, 90.25, 90.25, 100, 100, 110.25, 110.25, 81, 81, 90.25, 90.25, 100, 100, 110.25, 110.25}
)

func resizeNode(attrs ...*graph.Attr) *graph.Node { return shapeNode("Resize", 1, attrs...) }

func TestResizeAgainstPyTorch(t *testing.T) {
	x := resizeTorchX()
	const tol = 2e-6 // float32 rounding of different evaluation orders
	for _, coord := range []string{"pytorch_half_pixel", "half_pixel"} {
		got := shapeRun(t, 13, resizeNode(shapeAStr("mode", "linear"), shapeAStr("coordinate_transformation_mode", coord)), x, nil, nil, shapeI64(1, 2, 5, 7))[0]
		shapeWantF32(t, coord, got, []int{1, 2, 5, 7}, resizeTorchBilinear, tol)
	}
	got := shapeRun(t, 13, resizeNode(shapeAStr("mode", "linear"), shapeAStr("coordinate_transformation_mode", "align_corners")), x, nil, nil, shapeI64(1, 2, 5, 7))[0]
	shapeWantF32(t, "align_corners", got, []int{1, 2, 5, 7}, resizeTorchAlign, tol)
	// Opset 11 needs the roi input present (empty here).
	got = shapeRun(t, 11, resizeNode(shapeAStr("mode", "linear")), x, tensor.MustNew(tensor.Float32, 0), tensor.MustNew(tensor.Float32, 0), shapeI64(1, 2, 2, 3))[0]
	shapeWantF32(t, "downsample", got, []int{1, 2, 2, 3}, resizeTorchDown, tol)
	// Opset 18: axes select H and W.
	got = shapeRun(t, 18, resizeNode(shapeAStr("mode", "linear"), shapeAInts("axes", 2, 3)), x, nil, nil, shapeI64(5, 7))[0]
	shapeWantF32(t, "axes", got, []int{1, 2, 5, 7}, resizeTorchBilinear, tol)
	// PyTorch's legacy nearest is asymmetric + floor.
	scales := tensor.FromFloat32([]float32{1, 1, 2, 2}, 4)
	got = shapeRun(t, 13, resizeNode(shapeAStr("coordinate_transformation_mode", "asymmetric"), shapeAStr("nearest_mode", "floor")), x, nil, scales)[0]
	shapeWantF32(t, "nearest", got, []int{1, 2, 6, 8}, resizeTorchNearest, 0)
	// Nearest on int8 moves the same elements.
	xi := shapeCastFloat(x, tensor.Int8)
	got = shapeRun(t, 13, resizeNode(shapeAStr("coordinate_transformation_mode", "asymmetric"), shapeAStr("nearest_mode", "floor")), xi, nil, scales)[0]
	shapeWant(t, "nearest int8", got, shapeCastFloat(tensor.FromFloat32(resizeTorchNearest, 1, 2, 6, 8), tensor.Int8))
}

func TestResizeOpset10Nearest(t *testing.T) {
	// onnxruntime's Resize-10 rule: x_orig = x/scale, rounded up when
	// shrinking. len 5, scale 0.6 -> 3 outputs at x_orig 0, 1.67, 3.33 -> 0, 2, 4.
	x := shapeF32Seq(5)
	got := shapeRun(t, 10, resizeNode(), x, tensor.FromFloat32([]float32{0.6}, 1))[0]
	shapeWantF32(t, "shrink", got, []int{3}, []float32{0, 2, 4}, 0)
	// Enlarging rounds down: len 2, scale 2.5 -> 5 outputs at 0, .4, .8, 1.2, 1.6.
	got = shapeRun(t, 10, resizeNode(), shapeF32Seq(2), tensor.FromFloat32([]float32{2.5}, 1))[0]
	shapeWantF32(t, "enlarge", got, []int{5}, []float32{0, 0, 0, 1, 1}, 0)
}

func TestResizeKeepAspect(t *testing.T) {
	// not_larger: sizes (6,7) on (3,4) -> scale min(2, 1.75) -> (5, 7).
	got := shapeRun(t, 18, resizeNode(shapeAInts("axes", 2, 3), shapeAStr("keep_aspect_ratio_policy", "not_larger")), resizeTorchX(), nil, nil, shapeI64(6, 7))[0]
	if !tensor.SameShape(got.Shape, []int{1, 2, 5, 7}) {
		t.Errorf("not_larger: shape %v, want [1 2 5 7]", got.Shape)
	}
	got = shapeRun(t, 18, resizeNode(shapeAInts("axes", 2, 3), shapeAStr("keep_aspect_ratio_policy", "not_smaller")), resizeTorchX(), nil, nil, shapeI64(6, 7))[0]
	if !tensor.SameShape(got.Shape, []int{1, 2, 6, 8}) {
		t.Errorf("not_smaller: shape %v, want [1 2 6 8]", got.Shape)
	}
}

func TestResizeErrors(t *testing.T) {
	x := resizeTorchX()
	sc := tensor.FromFloat32([]float32{1, 1, 2, 2}, 4)
	shapeWantErr(t, 13, resizeNode(), "exactly one of scales and sizes", x, nil, sc, shapeI64(1, 2, 6, 8))
	shapeWantErr(t, 13, resizeNode(), "exactly one of scales and sizes", x)
	shapeWantErr(t, 13, resizeNode(), "scales has 2 values", x, nil, tensor.FromFloat32([]float32{2, 2}, 2))
	shapeWantErr(t, 13, resizeNode(), "must be positive", x, nil, tensor.FromFloat32([]float32{1, 1, -2, 2}, 4))
	shapeWantErr(t, 13, resizeNode(), "more than", x, nil, tensor.FromFloat32([]float32{1, 1, 1e5, 1e5}, 4))
	shapeWantErr(t, 13, resizeNode(), "too large", x, nil, tensor.FromFloat32([]float32{1, 1, 1e30, 1}, 4))
	shapeWantErr(t, 13, resizeNode(), "more than", x, nil, nil, shapeI64(1, 2, 1<<20, 1<<20))
	shapeWantErr(t, 13, resizeNode(shapeAStr("mode", "linear")), "supports float32", shapeCastFloat(x, tensor.Int64), nil, sc)
	shapeWantErr(t, 13, resizeNode(shapeAStr("mode", "area")), "unknown mode", x, nil, sc)
	shapeWantErr(t, 13, resizeNode(shapeAStr("coordinate_transformation_mode", "nope")), "unknown coordinate", x, nil, sc)
	shapeWantErr(t, 13, resizeNode(shapeAStr("nearest_mode", "nope")), "unknown nearest_mode", x, nil, sc)
	shapeWantErr(t, 13, resizeNode(shapeAInt("exclude_outside", 1)), "needs mode cubic", x, nil, sc)
	shapeWantErr(t, 18, resizeNode(shapeAInt("antialias", 1)), "antialias", x, nil, sc)
	shapeWantErr(t, 13, resizeNode(shapeAInts("axes", 2, 3)), "need opset 18", x, nil, sc)
	shapeWantErr(t, 13, resizeNode(shapeAStr("coordinate_transformation_mode", "tf_crop_and_resize")), "roi has 0 values", x, nil, sc)
	shapeWantErr(t, 10, resizeNode(shapeAStr("mode", "cubic")), "needs opset 11", x, sc)
	shapeWantErr(t, 10, resizeNode(), "scales) is missing", x)
	shapeWantErr(t, 13, resizeNode(), "cannot be resized", tensor.MustNew(tensor.Float32, 1, 0), nil, nil, shapeI64(1, 3))
}
