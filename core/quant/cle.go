package quant

import (
	"errors"

	"fixq/core/graph"
)

// ErrNotImplemented is returned for requested features not built yet.
var ErrNotImplemented = errors.New("not implemented yet")

// equalize is the cross-layer equalization hook (Config.CLE): it runs on
// the prepared float model after passes.Prepare and before probing and
// planning, so every later step (plan, weight fix_pos, calibration, the
// report's weight ranges) sees the equalized weights. It must keep the
// model's float outputs (up to rounding) and may rewrite initializers
// (never in place: they are shared with the caller's model).
func equalize(m *graph.Model) ([]string, error) {
	return nil, errors.Join(errors.New("quant: cross-layer equalization (cle)"), ErrNotImplemented)
}
