package ops

import "testing"

func TestSpaceToDepthErrors(t *testing.T) {
	shapeWantErr(t, 13, shapeNode("SpaceToDepth", 1, shapeAInt("blocksize", 2)), "not divisible by blocksize 2", shapeF32Seq(1, 1, 3, 2))
	shapeWantErr(t, 13, shapeNode("SpaceToDepth", 1, shapeAInt("blocksize", 2)), "want 4-D", shapeF32Seq(1, 2, 2))
}
