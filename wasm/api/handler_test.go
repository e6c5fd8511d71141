package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"fixq/core/job"
)

const token = "s3cret-t0ken"

var authed = map[string]string{"Authorization": "Bearer " + token}

// statusCases provokes every status of every route once (quantizeCases
// adds POST /v1/quantize's); TestOpenAPIAgrees checks that together they
// cover exactly the documented statuses.
func statusCases() []call {
	tok := Config{Token: token}
	cases := []call{
		{name: "health", method: "GET", path: "/v1/health", wantStatus: 200},
		{name: "health needs no token", cfg: tok, method: "GET", path: "/v1/health", wantStatus: 200},
		{name: "health with an oversized body", cfg: Config{MaxBodyBytes: 10}, method: "GET", path: "/v1/health", body: octet(make([]byte, 11)), wantStatus: 413, wantCode: CodeTooLarge},
		{name: "openapi", method: "GET", path: "/v1/openapi.json", wantStatus: 200},
		{name: "openapi with token", cfg: tok, method: "GET", path: "/v1/openapi.json", header: authed, wantStatus: 200},
		{name: "openapi without token", cfg: tok, method: "GET", path: "/v1/openapi.json", wantStatus: 401, wantCode: CodeUnauthorized},
		{name: "unknown path", method: "GET", path: "/v1/nope", wantStatus: 404, wantCode: CodeNotFound},
		{name: "root", method: "GET", path: "/", wantStatus: 404, wantCode: CodeNotFound},
		{name: "unknown path with token set", cfg: tok, method: "POST", path: "/v2/inspect", wantStatus: 404, wantCode: CodeNotFound},
		{name: "GET inspect", method: "GET", path: "/v1/inspect", wantStatus: 405, wantCode: CodeMethodNotAllowed},
		{name: "DELETE health", method: "DELETE", path: "/v1/health", wantStatus: 405, wantCode: CodeMethodNotAllowed},
		{name: "OPTIONS without CORS", method: "OPTIONS", path: "/v1/inspect", wantStatus: 405, wantCode: CodeMethodNotAllowed},

		{name: "inspect", method: "POST", path: "/v1/inspect?input_shape=1,3,48,192", body: func(t *testing.T) ([]byte, string) { return paddleCls(t), "application/octet-stream" }, wantStatus: 200},
		{name: "inspect without token", cfg: tok, method: "POST", path: "/v1/inspect", body: octet([]byte("x")), wantStatus: 401, wantCode: CodeUnauthorized},
		{name: "inspect with wrong token", cfg: tok, method: "POST", path: "/v1/inspect", header: map[string]string{"Authorization": "Bearer " + token + "x"}, body: octet([]byte("x")), wantStatus: 401, wantCode: CodeUnauthorized},
		{name: "inspect with basic auth", cfg: tok, method: "POST", path: "/v1/inspect", header: map[string]string{"Authorization": "Basic " + token}, body: octet([]byte("x")), wantStatus: 401, wantCode: CodeUnauthorized},
		{name: "inspect garbage", method: "POST", path: "/v1/inspect", body: octet([]byte("not an onnx model at all")), wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect empty", method: "POST", path: "/v1/inspect", body: octet(nil), wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect unknown target", method: "POST", path: "/v1/inspect?target=TPUv9", body: octet([]byte("x")), wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect unknown parameter", method: "POST", path: "/v1/inspect?tagret=x", body: octet([]byte("x")), wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect bad clock", method: "POST", path: "/v1/inspect?clock_mhz=-3", body: octet([]byte("x")), wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect bad input_shape", method: "POST", path: "/v1/inspect?input_shape=1,3,x,192", body: func(t *testing.T) ([]byte, string) { return paddleCls(t), "application/octet-stream" }, wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect input_shape of a missing input", method: "POST", path: "/v1/inspect?input_shape=y:1,3,48,192", body: func(t *testing.T) ([]byte, string) { return paddleCls(t), "application/octet-stream" }, wantStatus: 400, wantCode: CodeBadRequest},
		{name: "inspect huge input_shape", method: "POST", path: "/v1/inspect?input_shape=1,3,4800,19200", body: func(t *testing.T) ([]byte, string) { return paddleCls(t), "application/octet-stream" }, wantStatus: 413, wantCode: CodeTooLarge},
		{name: "inspect text/plain", method: "POST", path: "/v1/inspect", body: func(*testing.T) ([]byte, string) { return []byte("x"), "text/plain" }, wantStatus: 415, wantCode: CodeUnsupportedMediaType},
		{name: "inspect form", method: "POST", path: "/v1/inspect", body: func(*testing.T) ([]byte, string) { return []byte("a=b"), "application/x-www-form-urlencoded" }, wantStatus: 415, wantCode: CodeUnsupportedMediaType},
		{name: "inspect body over the limit", cfg: Config{MaxBodyBytes: 1000}, method: "POST", path: "/v1/inspect", body: octet(make([]byte, 1001)), wantStatus: 413, wantCode: CodeTooLarge},
		{name: "inspect streamed body over the limit", cfg: Config{MaxBodyBytes: 1000}, method: "POST", path: "/v1/inspect", body: octet(make([]byte, 5000)), chunked: true, wantStatus: 413, wantCode: CodeTooLarge},
		{name: "inspect model over the limit", cfg: Config{MaxModelBytes: 1000}, method: "POST", path: "/v1/inspect", body: octet(make([]byte, 1001)), wantStatus: 413, wantCode: CodeTooLarge},
		{name: "inspect streamed model over the limit", cfg: Config{MaxModelBytes: 1000}, method: "POST", path: "/v1/inspect", body: octet(make([]byte, 1001)), chunked: true, wantStatus: 413, wantCode: CodeTooLarge},
		{name: "inspect dynamic dims without a size", method: "POST", path: "/v1/inspect", body: func(t *testing.T) ([]byte, string) { return paddleCls(t), "application/octet-stream" }, wantStatus: 422, wantCode: CodeUnsupportedModel},
		{name: "inspect If node", method: "POST", path: "/v1/inspect", body: func(t *testing.T) ([]byte, string) { return heyJarvis(t), "application/octet-stream" }, wantStatus: 422, wantCode: CodeUnsupportedModel},
		{name: "inspect opset 5", method: "POST", path: "/v1/inspect", body: func(t *testing.T) ([]byte, string) { return oldOpsetModel(t), "application/octet-stream" }, wantStatus: 422, wantCode: CodeUnsupportedModel},
	}
	return append(cases, quantizeCases()...)
}

func TestStatuses(t *testing.T) {
	for _, c := range statusCases() {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

func TestHealth(t *testing.T) {
	w := call{method: "GET", path: "/v1/health", cfg: Config{Token: "x", MaxImages: 7}, wantStatus: 200}.check(t)
	var got struct {
		Status, Version string
		Auth            bool
		Limits          map[string]int64
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"max_body_bytes": 32 << 20, "max_model_bytes": 16 << 20, "max_images": 7, "max_tensor_elements": 8 << 20}
	if got.Status != "ok" || got.Version != job.Version || !got.Auth || len(got.Limits) != len(want) {
		t.Fatalf("health %+v", got)
	}
	for k, v := range want {
		if got.Limits[k] != v {
			t.Errorf("limit %s = %d, want %d", k, got.Limits[k], v)
		}
	}
}

// TestInspectIsJobInspect: the API's answer is the job API's JSON, byte
// for byte, for the same model and options.
func TestInspectIsJobInspect(t *testing.T) {
	model := paddleCls(t)
	w := call{method: "POST", path: "/v1/inspect?input_shape=x:1,3,48,320&target=dpuczdx8g_isa1_b1024&clock_mhz=250", cfg: Config{Token: token}, header: authed,
		body: octet(model), wantStatus: 200}.check(t)
	res, err := job.Inspect(context.Background(), model, job.InspectOptions{Target: "DPUCZDX8G_ISA1_B1024", InputShapes: map[string][]int{"x": {1, 3, 48, 320}}, ClockMHz: 250}, job.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.Body.Bytes(), res.JSON()) {
		t.Fatalf("inspect answer differs from job.Inspect's JSON")
	}
	if w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Length") != fmt.Sprint(len(res.JSON())) {
		t.Fatalf("headers %v", w.Header())
	}
	// A different clock changes the answer: the parameter is used.
	w2 := call{method: "POST", path: "/v1/inspect?input_shape=x=1,3,48,320&target=dpuczdx8g_isa1_b1024&clock_mhz=500", body: octet(model), wantStatus: 200}.check(t)
	if bytes.Equal(w.Body.Bytes(), w2.Body.Bytes()) {
		t.Fatal("clock_mhz ignored")
	}
}

func TestMethodNotAllowedSaysAllow(t *testing.T) {
	w := call{method: "PUT", path: "/v1/quantize", wantStatus: 405, wantCode: CodeMethodNotAllowed}.check(t)
	if got := w.Header().Get("Allow"); got != "POST" {
		t.Fatalf("Allow %q", got)
	}
}

func TestUnauthorizedSaysBearer(t *testing.T) {
	w := call{cfg: Config{Token: token}, method: "POST", path: "/v1/quantize", wantStatus: 401, wantCode: CodeUnauthorized}.check(t)
	if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("WWW-Authenticate %q", w.Header().Get("WWW-Authenticate"))
	}
}

func TestCORS(t *testing.T) {
	h := map[string]string{"Origin": "https://app.example"}
	// Default: no CORS headers at all.
	w := call{method: "GET", path: "/v1/health", header: h, wantStatus: 200}.check(t)
	if v := w.Header().Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("CORS header without configuration: %q", v)
	}
	cfg := Config{CORSOrigins: []string{"https://app.example"}, Token: token}
	w = call{cfg: cfg, method: "GET", path: "/v1/health", header: h, wantStatus: 200}.check(t)
	if v := w.Header().Get("Access-Control-Allow-Origin"); v != "https://app.example" {
		t.Fatalf("allowed origin: %q", v)
	}
	w = call{cfg: cfg, method: "GET", path: "/v1/health", header: map[string]string{"Origin": "https://evil.example"}, wantStatus: 200}.check(t)
	if v := w.Header().Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("other origin allowed: %q", v)
	}
	// Preflight needs no token (browsers send none) and lists the methods.
	w = call{cfg: cfg, method: "OPTIONS", path: "/v1/quantize", header: map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}, wantStatus: 204}.check(t)
	if w.Header().Get("Access-Control-Allow-Methods") != "POST" || !strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") ||
		w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("preflight headers %v", w.Header())
	}
	// Errors carry the CORS headers too, so a browser can read them.
	w = call{cfg: cfg, method: "POST", path: "/v1/inspect", header: h, wantStatus: 401, wantCode: CodeUnauthorized}.check(t)
	if w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("error without CORS header: %v", w.Header())
	}
	w = call{cfg: Config{CORSOrigins: []string{"*"}}, method: "GET", path: "/v1/health", header: h, wantStatus: 200}.check(t)
	if v := w.Header().Get("Access-Control-Allow-Origin"); v != "*" {
		t.Fatalf("wildcard: %q", v)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		EnvToken: " tok ", EnvCORSOrigins: "https://a.example, https://b.example", EnvMaxBodyBytes: "1000",
		EnvMaxModelBytes: "900", EnvMaxImages: "12", EnvMaxTensorElements: "4096",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "tok" || len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "https://b.example" || c.MaxBodyBytes != 1000 ||
		c.MaxModelBytes != 900 || c.MaxImages != 12 || c.MaxTensorElements != 4096 {
		t.Fatalf("config %+v", c)
	}
	c, err = ConfigFromEnv(func(string) string { return "" })
	if err != nil || c.Token != "" || c.CORSOrigins != nil || c.WithDefaults().MaxBodyBytes != 32<<20 {
		t.Fatalf("empty env: %+v %v", c, err)
	}
	for _, bad := range []string{"-1", "0", "12MB", "1e9"} {
		if _, err := ConfigFromEnv(func(k string) string {
			if k == EnvMaxImages {
				return bad
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), EnvMaxImages) {
			t.Errorf("%s=%s: error %v", EnvMaxImages, bad, err)
		}
	}
}

func TestPanicIsJSON500(t *testing.T) {
	saved := routes
	defer func() { routes = saved }()
	routes = append(append([]route(nil), routes...), route{"GET", "/v1/boom", false, []int{500}, func(*handler, http.ResponseWriter, *http.Request) error {
		var m map[string]int
		m["x"] = 1 // a programmer error
		return nil
	}})
	call{method: "GET", path: "/v1/boom", wantStatus: 500, wantCode: CodeInternal}.check(t)
}
