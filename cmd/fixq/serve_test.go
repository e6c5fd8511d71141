package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func serveFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":               "<!doctype html><title>x</title>",
		"fixq.mjs":                 "export const version = '0';",
		"fixq-worker.js":           "self.onmessage = null;",
		"fixq-core.wasm":           "\x00asm\x01\x00\x00\x00",
		"fixq.d.ts":                "export declare const version: string;",
		"demo/model.onnx":          "\x08\x07",
		".git/config":              "secret",
		"sub/.env":                 "secret",
		"some/prefix/index.html":   "<!doctype html><title>prefix</title>",
		"some/prefix/package.json": `{"name":"fixq"}`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The types browsers require: a module script must be served as
// JavaScript (HTML spec, "fetch a single module script": a non-JavaScript
// MIME type is an error), and WebAssembly.instantiateStreaming requires
// application/wasm (WebAssembly Web API spec, step 2 of "compile a
// potential WebAssembly response").
func TestServeContentTypes(t *testing.T) {
	h := staticHandler(serveFixture(t))
	for path, want := range map[string]string{
		"/fixq.mjs":                 "text/javascript",
		"/fixq-worker.js":           "text/javascript",
		"/fixq-core.wasm":           "application/wasm",
		"/":                         "text/html",
		"/some/prefix/":             "text/html",
		"/some/prefix/package.json": "application/json",
		"/fixq.d.ts":                "text/plain",
		"/demo/model.onnx":          "application/octet-stream",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Errorf("GET %s: status %d", path, rec.Code)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("GET %s: Content-Type %q, want %s", path, ct, want)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff header", path)
		}
	}
}

func TestServeRefuses(t *testing.T) {
	h := staticHandler(serveFixture(t))
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/.git/config", 404},
		{"GET", "/sub/.env", 404},
		{"GET", "/../serve_test.go", 404},
		{"GET", "/missing.js", 404},
		{"POST", "/index.html", 405},
		{"PUT", "/index.html", 405},
		{"DELETE", "/fixq.mjs", 405},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(c.method, "/", nil)
		req.URL.Path = c.path // unclean paths as a raw client could send them
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, rec.Code, c.want)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("%s %s: leaked a dot file", c.method, c.path)
		}
	}
}

// serveDir listens where asked (127.0.0.1 is runServe's default), prints
// the URL and stops with its context.
func TestServeDir(t *testing.T) {
	dir := serveFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var logb strings.Builder
	done := make(chan error, 1)
	go func() { done <- serveDir(ctx, dir, "127.0.0.1:0", pw, &logb) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://127.0.0.1:")
	if i < 0 {
		t.Fatalf("serve printed %q, want a http://127.0.0.1:PORT/ URL", line)
	}
	url := strings.TrimSpace(line[i:])
	resp, err := http.Get(url + "fixq-core.wasm")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/wasm" || string(body) != "\x00asm\x01\x00\x00\x00" {
		t.Errorf("GET fixq-core.wasm: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveDir: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serveDir did not stop with its context")
	}
	pw.Close()
	if !strings.Contains(logb.String(), "GET /fixq-core.wasm") {
		t.Errorf("request log %q does not name the request", logb.String())
	}
}

func TestServeDefaultsAndErrors(t *testing.T) {
	code, out, _ := fixq(t, "serve", "--help")
	if code != 0 || !strings.Contains(out, `(default "127.0.0.1")`) || !strings.Contains(out, "(default 8080)") {
		t.Errorf("serve --help: %d %q; want defaults 127.0.0.1 and 8080", code, out)
	}
	code, _, errOut := fixq(t, "serve")
	wantError(t, code, errOut, 2, "want one DIR")
	code, _, errOut = fixq(t, "serve", "--port", "70000", t.TempDir())
	wantError(t, code, errOut, 2, "out of range")
	f := filepath.Join(t.TempDir(), "file.txt")
	os.WriteFile(f, []byte("x"), 0o644)
	code, _, errOut = fixq(t, "serve", f)
	wantError(t, code, errOut, 1, "not a directory")
}
