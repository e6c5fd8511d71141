package quant

import (
	"context"
	"errors"

	"fixq/core/graph"
)

// correctBiases is the bias-correction hook (Config.BiasCorrection): it
// runs after calibration and the fix_pos repairs, with the final
// simulator, and may replace conv-like float biases in m (new tensors, not
// in place), after which Quantize re-searches and re-quantizes the bias
// points and refreshes the simulator. r replays the calibration data.
func correctBiases(ctx context.Context, m *graph.Model, s *Simulator, r *batchReader) ([]string, error) {
	return nil, errors.Join(errors.New("quant: bias correction"), ErrNotImplemented)
}
