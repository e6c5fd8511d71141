package ops

// shapeKernels is the shape family of the registry (see registry.go).
var shapeKernels = map[string]Kernel{}
