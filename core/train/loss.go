package train

import (
	"fmt"
	"math"
)

// SoftmaxCrossEntropy is the mean cross-entropy of rows of logits
// ([rows, classes], row-major) against labels, with its gradient written
// to grad (same length as logits; may be nil): (softmax − onehot)/rows.
// It also counts the rows whose largest logit is the label (the first
// largest on ties). Computed in float64 with the max subtracted.
func SoftmaxCrossEntropy(logits []float32, classes int, labels []int, grad []float32) (loss float64, correct int, err error) {
	if classes <= 0 || len(logits)%classes != 0 || len(logits)/classes != len(labels) {
		return 0, 0, fmt.Errorf("train: %d logits of %d classes for %d labels", len(logits), classes, len(labels))
	}
	rows := len(labels)
	if rows == 0 {
		return 0, 0, nil
	}
	inv := 1 / float64(rows)
	for r, lab := range labels {
		if lab < 0 || lab >= classes {
			return 0, 0, fmt.Errorf("train: label %d outside [0, %d)", lab, classes)
		}
		row := logits[r*classes : (r+1)*classes]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		if best == lab {
			correct++
		}
		mx := float64(row[best])
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - mx)
		}
		logZ := mx + math.Log(sum)
		loss += (logZ - float64(row[lab])) * inv
		if grad != nil {
			g := grad[r*classes : (r+1)*classes]
			for c, v := range row {
				p := math.Exp(float64(v) - logZ)
				if c == lab {
					p--
				}
				g[c] = float32(p * inv)
			}
		}
	}
	return loss, correct, nil
}

// MSE is mean((y − t)²) with its gradient 2(y − t)/n written to grad
// (may be nil).
func MSE(y, t, grad []float32) (float64, error) {
	if len(y) != len(t) || (grad != nil && len(grad) != len(y)) {
		return 0, fmt.Errorf("train: MSE of %d values against %d", len(y), len(t))
	}
	if len(y) == 0 {
		return 0, nil
	}
	var s float64
	inv := 1 / float64(len(y))
	for i, v := range y {
		d := float64(v) - float64(t[i])
		s += d * d
		if grad != nil {
			grad[i] = float32(2 * d * inv)
		}
	}
	return s * inv, nil
}
