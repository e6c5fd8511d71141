package dataset

import (
	"fmt"

	"fixq/core/tensor"
)

// ArgMax is the index of the largest value in row, the first one on ties
// (as NumPy's and PyTorch's argmax). NaNs never win. It returns -1 for an
// empty row or one of NaNs only.
func ArgMax(row []float32) int {
	best := -1
	for i, v := range row {
		if v == v && (best < 0 || v > row[best]) {
			best = i
		}
	}
	return best
}

// CountTop1 counts the rows of logits [N,C] whose ArgMax equals the label.
func CountTop1(logits *tensor.Tensor, labels []uint8) (int, error) {
	if err := logits.Validate(); err != nil {
		return 0, fmt.Errorf("dataset: logits: %w", err)
	}
	if logits.DType != tensor.Float32 || logits.Rank() != 2 {
		return 0, fmt.Errorf("dataset: logits are %v %v, want float32 [N,classes]", logits.DType, logits.Shape)
	}
	n, c := logits.Shape[0], logits.Shape[1]
	if len(labels) != n {
		return 0, fmt.Errorf("dataset: %d logit rows but %d labels", n, len(labels))
	}
	correct := 0
	for i, l := range labels {
		if ArgMax(logits.F32[i*c:(i+1)*c]) == int(l) {
			correct++
		}
	}
	return correct, nil
}
