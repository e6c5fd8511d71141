package ops

// nnKernels is the nn family of the registry (see registry.go).
var nnKernels = map[string]Kernel{
	"AveragePool":        averagePoolKernel,
	"BatchNormalization": batchNormalizationKernel,
	"Conv":               convKernel,
	"ConvTranspose":      convTransposeKernel,
	"Gemm":               gemmKernel,
	"GlobalAveragePool":  globalAveragePoolKernel,
	"GlobalMaxPool":      globalMaxPoolKernel,
	"MatMul":             matMulKernel,
	"MaxPool":            maxPoolKernel,
}
