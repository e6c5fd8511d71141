package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"fixq/core/graph"
	"fixq/core/job"
	"fixq/core/onnx"
	"fixq/dpu"
)

// inspect answers POST /v1/inspect: the model is the body; ?target=,
// ?input_shape= (repeatable, "1,3,48,192" for a one-input model or
// "name:1,3,48,192", or "name=1,3,48,192" as the CLI writes it) and ?clock_mhz= choose job.InspectOptions.
func (h *handler) inspect(w http.ResponseWriter, r *http.Request) error {
	if err := noQuery(r, "target", "input_shape", "clock_mhz"); err != nil {
		return err
	}
	if mt := mediaType(r); mt != "application/octet-stream" {
		return statusErr(http.StatusUnsupportedMediaType, "POST /v1/inspect wants the ONNX model as the body with Content-Type: application/octet-stream, got %q", mt)
	}
	q := r.URL.Query()
	opts := job.InspectOptions{Target: q.Get("target")}
	if _, err := dpu.LookupTarget(opts.Target); err != nil {
		return withStatus(http.StatusBadRequest, err)
	}
	if s := q.Get("clock_mhz"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && v <= 10000) {
			return statusErr(http.StatusBadRequest, "clock_mhz=%q: want a number of MHz in (0, 10000]", s)
		}
		opts.ClockMHz = v
	}
	body, err := readAllLimited(r.Body, r.ContentLength, h.cfg.MaxModelBytes, "model")
	if err != nil {
		return err
	}
	m, err := h.loadModel(body)
	if err != nil {
		return err
	}
	if opts.InputShapes, err = h.parseInputShapes(q["input_shape"], m); err != nil {
		return err
	}
	res, err := job.InspectModel(r.Context(), m, opts)
	if err != nil {
		return withStatus(http.StatusUnprocessableEntity, err)
	}
	writeBytes(w, http.StatusOK, "application/json", res.JSON())
	return nil
}

// loadModel is job.LoadModel with the failure classified: bytes that do
// not decode are a bad request (400); a model outside fixq's opsets is
// unsupported (422).
func (h *handler) loadModel(b []byte) (*graph.Model, error) {
	if len(b) == 0 {
		return nil, statusErr(http.StatusBadRequest, "empty model")
	}
	if int64(len(b)) > h.cfg.MaxModelBytes {
		return nil, statusErr(http.StatusRequestEntityTooLarge, "model of %d bytes is over the limit of %s", len(b), sizeString(h.cfg.MaxModelBytes))
	}
	m, err := onnx.DecodeBytes(b)
	if err != nil {
		return nil, withStatus(http.StatusBadRequest, err)
	}
	if err := onnx.CheckOpset(m); err != nil {
		return nil, withStatus(http.StatusUnprocessableEntity, err)
	}
	return m, nil
}

// parseInputShapes reads input_shape values into job.InspectOptions form.
func (h *handler) parseInputShapes(vals []string, m *graph.Model) (map[string][]int, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	shapes := map[string][]int{}
	for _, v := range vals {
		name, dims, named := strings.Cut(v, ":")
		if !named {
			name, dims, named = strings.Cut(v, "=") // the CLI's --input-shape NAME=DIMS
		}
		if !named {
			dims = name
			if len(m.Graph.Inputs) != 1 {
				return nil, statusErr(http.StatusBadRequest, "input_shape=%q: the model has %d inputs; write input_shape=NAME:DIMS", v, len(m.Graph.Inputs))
			}
			name = m.Graph.Inputs[0].Name
		}
		found := false
		for _, in := range m.Graph.Inputs {
			found = found || in.Name == name
		}
		if !found {
			return nil, statusErr(http.StatusBadRequest, "input_shape=%q: the model has no input %q", v, name)
		}
		if _, dup := shapes[name]; dup {
			return nil, statusErr(http.StatusBadRequest, "input_shape: input %q given twice", name)
		}
		shape, err := h.parseDims(dims)
		if err != nil {
			return nil, statusErr(http.StatusBadRequest, "input_shape=%q: %v", v, err)
		}
		if err := h.checkElements("input shape "+dims, shape); err != nil {
			return nil, err
		}
		shapes[name] = shape
	}
	return shapes, nil
}

// parseDims parses "1,3,48,192" (positive dims, rank 1..8).
func (h *handler) parseDims(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 8 {
		return nil, errors.New("more than 8 dims")
	}
	dims := make([]int, len(parts))
	for i, p := range parts {
		d, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || d <= 0 {
			return nil, errors.New("want comma-separated positive integers, e.g. 1,3,48,192")
		}
		dims[i] = d
	}
	return dims, nil
}

// checkElements refuses a tensor shape over Config.MaxTensorElements
// (with 413), without overflowing.
func (h *handler) checkElements(what string, shape []int) error {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return statusErr(http.StatusBadRequest, "%s: negative dim in %v", what, shape)
		}
		if d > 0 && n > h.cfg.MaxTensorElements/int64(d) {
			return statusErr(http.StatusRequestEntityTooLarge, "%s: shape %v is over the limit of %d tensor elements", what, shape, h.cfg.MaxTensorElements)
		}
		n *= int64(d)
	}
	return nil
}

// readAllLimited reads r whole; more than limit bytes is a 413 naming
// what. sizeHint (a Content-Length, or -1) sizes the buffer once.
func readAllLimited(r io.Reader, sizeHint, limit int64, what string) ([]byte, error) {
	if sizeHint > limit {
		return nil, statusErr(http.StatusRequestEntityTooLarge, "%s of %d bytes is over the limit of %s", what, sizeHint, sizeString(limit))
	}
	var buf bytes.Buffer
	if sizeHint > 0 {
		buf.Grow(int(sizeHint) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, statusErr(http.StatusBadRequest, "reading the %s: %v", what, err)
	}
	if n > limit {
		return nil, statusErr(http.StatusRequestEntityTooLarge, "%s is over the limit of %s", what, sizeString(limit))
	}
	return buf.Bytes(), nil
}
