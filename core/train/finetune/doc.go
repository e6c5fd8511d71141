// Package finetune joins core/train to core/quant: fast fine-tuning
// (AdaQuant) inside the post-training pipeline, and quantization-aware
// training, both ending in core/quant's deployable QDQ export.
//
// FastFinetune runs quant.Quantize (prepare, CLE, plan, calibration,
// shift repairs), then train.AdaQuant on the prepared model under the
// plan's fix positions, then quant.Quantize again on the fine-tuned model
// so that the activations are re-calibrated with the new weights. AdaQuant
// leaves every fine-tuned weight and bias on the int8 grid of its
// fix_pos, so the second quantization reproduces them exactly unless a
// shift repair moves a fix_pos (reported as a warning).
//
// QAT fine-tunes the whole network with fake quantization in the forward
// pass (see qat.go).
package finetune
