package ops

// nnKernels is the nn family of the registry (see registry.go).
var nnKernels = map[string]Kernel{
	"Conv":   convKernel,
	"Gemm":   gemmKernel,
	"MatMul": matMulKernel,
}
