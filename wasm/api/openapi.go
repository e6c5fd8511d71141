package api

import (
	_ "embed"
	"net/http"
)

// openAPIJSON is the API's OpenAPI 3 description; a test checks that it
// and the route table agree.
//
//go:embed openapi.json
var openAPIJSON []byte

// OpenAPI returns the OpenAPI 3 description (a copy).
func OpenAPI() []byte { return append([]byte(nil), openAPIJSON...) }

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	writeBytes(w, http.StatusOK, "application/json", openAPIJSON)
	return nil
}
