package api

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"fixq/core/job"
)

// route is one operation of the API; statuses lists every status it
// answers with (checked against openapi.json by a test).
type route struct {
	method, path string
	auth         bool // needs the bearer token when Config.Token is set
	statuses     []int
	serve        func(h *handler, w http.ResponseWriter, r *http.Request) error
}

// routes is the API. 404 (no such path) and 405 (wrong method) come from
// the router, 413 for an oversized body from the body limit on every
// route.
var routes = []route{
	{"GET", "/v1/health", false, []int{200}, (*handler).health},
	{"GET", "/v1/openapi.json", true, []int{200, 401}, (*handler).openAPI},
	{"POST", "/v1/inspect", true, []int{200, 400, 401, 413, 415, 422}, (*handler).inspect},
	{"POST", "/v1/quantize", true, []int{200, 400, 401, 413, 415, 422}, (*handler).quantize},
}

type handler struct {
	cfg Config
}

// New returns the API handler for cfg (zero limits take the defaults).
func New(cfg Config) http.Handler {
	return &handler{cfg: cfg.WithDefaults()}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			writeError(w, statusErr(http.StatusInternalServerError, "internal error: %v", p))
		}
	}()
	h.cors(w, r)
	var allowed []string
	var rt *route
	for i := range routes {
		if routes[i].path == r.URL.Path {
			allowed = append(allowed, routes[i].method)
			if routes[i].method == r.Method {
				rt = &routes[i]
			}
		}
	}
	switch {
	case len(allowed) == 0:
		writeError(w, statusErr(http.StatusNotFound, "no route %s (see GET /v1/openapi.json)", r.URL.Path))
		return
	case r.Method == http.MethodOptions && len(h.cfg.CORSOrigins) > 0:
		h.preflight(w, r, allowed)
		return
	case rt == nil:
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, statusErr(http.StatusMethodNotAllowed, "%s %s: method not allowed (allowed: %s)", r.Method, r.URL.Path, strings.Join(allowed, ", ")))
		return
	}
	if rt.auth && !h.authorized(r) {
		writeError(w, statusErr(http.StatusUnauthorized, "missing or wrong bearer token (Authorization: Bearer ...)"))
		return
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		writeError(w, statusErr(http.StatusRequestEntityTooLarge, "request body of %d bytes is over the limit of %d bytes", r.ContentLength, h.cfg.MaxBodyBytes))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
	if err := rt.serve(h, w, r); err != nil {
		writeError(w, err)
	}
}

// authorized checks the bearer token in constant time.
func (h *handler) authorized(r *http.Request) bool {
	if h.cfg.Token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(h.cfg.Token)) == 1
}

// cors sets the CORS response headers for an allowed Origin.
func (h *handler) cors(w http.ResponseWriter, r *http.Request) {
	if len(h.cfg.CORSOrigins) == 0 {
		return
	}
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	switch {
	case slices.Contains(h.cfg.CORSOrigins, "*"):
		w.Header().Set("Access-Control-Allow-Origin", "*")
	case slices.Contains(h.cfg.CORSOrigins, origin):
		w.Header().Set("Access-Control-Allow-Origin", origin)
	default:
		return
	}
	w.Header().Set("Access-Control-Expose-Headers", "Content-Disposition, X-Fixq-Warnings")
}

// preflight answers a CORS preflight request.
func (h *handler) preflight(w http.ResponseWriter, r *http.Request, allowed []string) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Methods", strings.Join(allowed, ", "))
	hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	hd.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// health reports liveness, the version and the effective limits.
func (h *handler) health(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"status":  "ok",
		"version": job.Version,
		"auth":    h.cfg.Token != "",
		"limits": map[string]int64{
			"max_body_bytes":      h.cfg.MaxBodyBytes,
			"max_model_bytes":     h.cfg.MaxModelBytes,
			"max_images":          int64(h.cfg.MaxImages),
			"max_tensor_elements": h.cfg.MaxTensorElements,
		},
	})
	return nil
}

// noQuery refuses query parameters other than the allowed ones.
func noQuery(r *http.Request, allowed ...string) error {
	for k := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			return statusErr(http.StatusBadRequest, "unknown query parameter %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// mediaType is the Content-Type without parameters, lower case.
func mediaType(r *http.Request) string {
	t, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(t))
}

func sizeString(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
