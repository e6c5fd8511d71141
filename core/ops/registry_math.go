package ops

// mathKernels is the math family of the registry (see registry.go).
var mathKernels = map[string]Kernel{}
