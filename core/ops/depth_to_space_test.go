package ops

import (
	"testing"

	"fixq/core/tensor"
)

// depthToSpaceRef is the ONNX spec's formula as a plain loop:
// DCR: y[n, c, h*b+i, w*b+j] = x[n, (i*b+j)*C' + c, h, w];
// CRD: y[n, c, h*b+i, w*b+j] = x[n, c*b*b + i*b + j, h, w].
func depthToSpaceRef(x *tensor.Tensor, b int, crd bool) []float32 {
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	c2 := C / (b * b)
	out := make([]float32, len(x.F32))
	for n := range N {
		for c := range c2 {
			for h := range H {
				for i := range b {
					for w := range W {
						for j := range b {
							ch := (i*b+j)*c2 + c
							if crd {
								ch = c*b*b + i*b + j
							}
							o := ((n*c2+c)*H*b+h*b+i)*W*b + w*b + j
							out[o] = x.F32[((n*C+ch)*H+h)*W+w]
						}
					}
				}
			}
		}
	}
	return out
}

func TestDepthToSpaceAgainstReference(t *testing.T) {
	x := shapeF32Seq(2, 8, 3, 2)
	for _, mode := range []string{"DCR", "CRD"} {
		got := shapeRun(t, 13, shapeNode("DepthToSpace", 1, shapeAInt("blocksize", 2), shapeAStr("mode", mode)), x)[0]
		shapeWantF32(t, mode, got, []int{2, 2, 6, 4}, depthToSpaceRef(x, 2, mode == "CRD"), 0)
	}
	// SpaceToDepth undoes DCR.
	y := shapeRun(t, 13, shapeNode("DepthToSpace", 1, shapeAInt("blocksize", 2)), x)[0]
	back := shapeRun(t, 13, shapeNode("SpaceToDepth", 1, shapeAInt("blocksize", 2)), y)[0]
	shapeWantF32(t, "round trip", back, x.Shape, x.F32, 0)
}

func TestDepthToSpaceErrors(t *testing.T) {
	shapeWantErr(t, 13, shapeNode("DepthToSpace", 1, shapeAInt("blocksize", 2)), "not divisible", shapeF32Seq(1, 6, 2, 2))
	shapeWantErr(t, 13, shapeNode("DepthToSpace", 1, shapeAInt("blocksize", 2)), "want 4-D", shapeF32Seq(4, 2, 2))
	shapeWantErr(t, 13, shapeNode("DepthToSpace", 1), "blocksize is required", shapeF32Seq(1, 4, 2, 2))
	shapeWantErr(t, 13, shapeNode("DepthToSpace", 1, shapeAInt("blocksize", 0)), "out of range", shapeF32Seq(1, 4, 2, 2))
	shapeWantErr(t, 13, shapeNode("DepthToSpace", 1, shapeAInt("blocksize", 2), shapeAStr("mode", "XYZ")), "unknown mode", shapeF32Seq(1, 4, 2, 2))
}
