package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"fixq/core/ops"
)

// Error codes, one per status (see doc.go).
const (
	CodeBadRequest           = "bad_request"
	CodeUnauthorized         = "unauthorized"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeTooLarge             = "too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeUnsupportedModel     = "unsupported_model"
	CodeInternal             = "internal"
)

var codeOfStatus = map[int]string{
	http.StatusBadRequest:            CodeBadRequest,
	http.StatusUnauthorized:          CodeUnauthorized,
	http.StatusNotFound:              CodeNotFound,
	http.StatusMethodNotAllowed:      CodeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: CodeTooLarge,
	http.StatusUnsupportedMediaType:  CodeUnsupportedMediaType,
	http.StatusUnprocessableEntity:   CodeUnsupportedModel,
	http.StatusInternalServerError:   CodeInternal,
}

// httpError is an error with the status it answers with.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func statusErr(status int, format string, args ...any) error {
	return &httpError{status, fmt.Errorf(format, args...)}
}

// withStatus tags err (keeping it for errors.As) with a status.
func withStatus(status int, err error) error { return &httpError{status, err} }

// statusOf picks the status for an error: its tag, 413 for an exceeded
// http.MaxBytesReader, 422 for an unsupported op; untagged errors are
// internal.
func statusOf(err error) int {
	var he *httpError
	var mbe *http.MaxBytesError
	var ue *ops.UnsupportedError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &ue):
		return http.StatusUnprocessableEntity
	case errors.As(err, &he):
		return he.status
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with the JSON error document.
func writeError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	var b errorBody
	b.Error.Code = codeOfStatus[status]
	b.Error.Message = err.Error()
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.Error.Message = fmt.Sprintf("request body is over the limit of %d bytes", mbe.Limit)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fixq"`)
	}
	writeJSON(w, status, b)
}

// writeJSON answers with v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encoding the response failed"}}`)
	}
	writeBytes(w, status, "application/json", append(b, '\n'))
}

// writeBytes answers with a body of known length (the Worker streams a
// response with Content-Length through one FixedLengthStream).
func writeBytes(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", fmt.Sprint(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteError answers with the JSON error document for status (for the
// Worker's own glue, which runs before the handler).
func WriteError(w http.ResponseWriter, status int, message string) {
	writeError(w, &httpError{status, errors.New(message)})
}

// ConfigError is a handler for a service whose configuration is broken:
// every request gets a 500 naming the problem (the Worker cannot refuse
// to start).
func ConfigError(err error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusInternalServerError, "service configuration: "+err.Error())
	})
}
