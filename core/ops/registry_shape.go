package ops

// shapeKernels is the shape family of the registry (see registry.go): ops
// that move, select or reshape elements without arithmetic on them (and
// Resize/Upsample, whose nearest mode is one), for every dtype.
var shapeKernels = map[string]Kernel{
	"Concat":       concatKernel,
	"DepthToSpace": depthToSpaceKernel,
	"Expand":       expandKernel,
	"Flatten":      flattenKernel,
	"Gather":       gatherKernel,
	"Pad":          padKernel,
	"Reshape":      reshapeKernel,
	"Resize":       resizeKernel,
	"Shape":        shapeKernel,
	"Size":         sizeKernel,
	"Slice":        sliceKernel,
	"SpaceToDepth": spaceToDepthKernel,
	"Split":        splitKernel,
	"Squeeze":      squeezeKernel,
	"Tile":         tileKernel,
	"Transpose":    transposeKernel,
	"Unsqueeze":    unsqueezeKernel,
	"Upsample":     upsampleKernel,
}
