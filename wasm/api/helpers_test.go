package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"

	"fixq/core/onnx"
	"fixq/internal/testassets"
)

// call is one request to the handler.
type call struct {
	name    string
	cfg     Config
	method  string
	path    string
	header  map[string]string
	body    func(t *testing.T) ([]byte, string) // body and Content-Type
	chunked bool                                // no Content-Length (like a streamed upload)

	wantStatus int
	wantCode   string // error code for an error status
}

func (c call) do(t *testing.T) *httptest.ResponseRecorder {
	t.Helper()
	var body []byte
	ctype := ""
	if c.body != nil {
		body, ctype = c.body(t)
	}
	var rd io.Reader = bytes.NewReader(body)
	if c.chunked {
		rd = io.MultiReader(rd) // hides the length from httptest
	}
	r := httptest.NewRequest(c.method, c.path, rd)
	if c.chunked {
		r.ContentLength = -1
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	New(c.cfg).ServeHTTP(w, r)
	return w
}

// check runs the call and checks status and, for errors, the JSON body.
func (c call) check(t *testing.T) *httptest.ResponseRecorder {
	t.Helper()
	w := c.do(t)
	if w.Code != c.wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body %s", c.method, c.path, w.Code, c.wantStatus, w.Body.Bytes())
	}
	if c.wantStatus >= 400 {
		var e errorBody
		dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("error body is not the error JSON: %v: %s", err, w.Body.Bytes())
		}
		if e.Error.Code != c.wantCode || e.Error.Message == "" {
			t.Fatalf("error %+v, want code %q and a message", e.Error, c.wantCode)
		}
		t.Logf("%d %s: %s", w.Code, e.Error.Code, e.Error.Message)
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("error Content-Type %q", ct)
		}
	}
	return w
}

func octet(b []byte) func(*testing.T) ([]byte, string) {
	return func(*testing.T) ([]byte, string) { return b, "application/octet-stream" }
}

func fileBody(path, ctype string) func(*testing.T) ([]byte, string) {
	return func(t *testing.T) ([]byte, string) { return readFile(t, path), ctype }
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// part is one multipart part.
type part struct {
	name, filename, ctype string
	data                  []byte
}

// multipartBody encodes parts as multipart/form-data.
func multipartBody(parts ...part) func(*testing.T) ([]byte, string) {
	return func(t *testing.T) ([]byte, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, p := range parts {
			h := textproto.MIMEHeader{}
			cd := `form-data; name="` + p.name + `"`
			if p.filename != "" {
				cd += `; filename="` + p.filename + `"`
			}
			h.Set("Content-Disposition", cd)
			if p.ctype != "" {
				h.Set("Content-Type", p.ctype)
			}
			w, err := mw.CreatePart(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(p.data)
		}
		mw.Close()
		return b.Bytes(), mw.FormDataContentType()
	}
}

// paddleCls is the PaddleOCR direction classifier (x[N,3,48,192] with
// dynamic N, H, W).
func paddleCls(t *testing.T) []byte { return readFile(t, testassets.PaddleCls(t)) }

// heyJarvis has an If node: unsupported.
func heyJarvis(t *testing.T) []byte {
	return readFile(t, testassets.Model(t, "openwakeword/models/hey_jarvis_v0.1.onnx"))
}

// oldOpsetModel is ONNX's Relu test model re-labelled as opset 5, below
// fixq's range.
func oldOpsetModel(t *testing.T) []byte {
	m, err := onnx.DecodeBytes(readFile(t, filepath.Join(testassets.ONNXTestData(t), "node/test_relu/model.onnx")))
	if err != nil {
		t.Fatal(err)
	}
	m.Opsets[""] = 5
	b, err := onnx.EncodeBytes(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
