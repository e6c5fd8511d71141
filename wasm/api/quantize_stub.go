//go:build !fixq_jobquantize

package api

import "net/http"

// TEMPORARY until core/job/quantize.go lands.
func (h *handler) quantize(w http.ResponseWriter, r *http.Request) error {
	return statusErr(http.StatusUnprocessableEntity, "quantize: not built yet")
}
