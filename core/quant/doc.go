// Package quant is fixq's post-training quantizer for the DPU's INT8
// scheme, its fake-quant simulation and its QDQ ONNX export.
package quant
