package ops

// quantKernels is the quantization family of the registry: the ONNX QDQ
// operators, run with ONNX semantics (as onnxruntime does), so a QDQ model
// fixq exports runs in fixq's float engine too.
var quantKernels = map[string]Kernel{
	"QuantizeLinear":   QuantizeLinear,
	"DequantizeLinear": DequantizeLinear,
}
