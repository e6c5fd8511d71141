// Package finetune is quantization-aware training (QAT): core/train's
// fake-quantized network, trained end to end, between two core/quant
// steps: the PTQ pipeline that prepares the model, plans it and derives
// the fix positions (again before every epoch, frozen for the last), and
// the export of the trained weights at exactly the frozen fix positions
// (quant.Result.Export). Fast fine-tuning (AdaQuant) lives in core/quant's
// pipeline itself (Config.FastFinetune).
package finetune
