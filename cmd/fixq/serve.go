package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--port 8080] [--addr 127.0.0.1] DIR\n\nServe DIR's files over HTTP for a browser (the demo site, the ES module):\nstatic files only, with the MIME types browsers insist on (application/wasm,\ntext/javascript for .mjs). Listens on 127.0.0.1 unless --addr says otherwise.\nStop with Ctrl-C.", stdout)
	port := fs.Int("port", 8080, "TCP port (0 picks a free one; the address is printed)")
	addr := fs.String("addr", "127.0.0.1", "address to listen on (0.0.0.0 makes the site reachable from other machines)")
	logRequests := fs.Bool("log", false, "print every request to stderr")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("serve: want one DIR, got %d arguments (run fixq serve --help)", len(pos))
	}
	if *port < 0 || *port > 65535 {
		return usagef("serve: port %d is out of range 0..65535", *port)
	}
	st, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("serve: %s is not a directory", pos[0])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var logw io.Writer
	if *logRequests {
		logw = stderr
	}
	return serveDir(ctx, pos[0], net.JoinHostPort(*addr, strconv.Itoa(*port)), stdout, logw)
}

// serveDir serves dir on addr until ctx ends. It prints the URL first.
func serveDir(ctx context.Context, dir, addr string, stdout, logw io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(stdout, "fixq serve: %s on http://%s/\n", dir, ln.Addr())
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(stdout, "fixq serve: warning: %s is reachable from other machines\n", ln.Addr())
	}
	h := staticHandler(dir)
	if logw != nil {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(logw, "%s %s\n", r.Method, r.URL.RequestURI())
			inner.ServeHTTP(w, r)
		})
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return nil
	}
	return err
}

// contentTypes are set explicitly: browsers refuse modules and streaming
// wasm compilation with other types, and the system's MIME tables differ.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".map":  "application/json",
	".wasm": "application/wasm",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
	".md":   "text/plain; charset=utf-8",
	".ts":   "text/plain; charset=utf-8", // .d.ts (not MPEG transport streams)
	".onnx": "application/octet-stream",
	".npy":  "application/octet-stream",
	".tgz":  "application/gzip",
}

// staticHandler serves dir read-only: GET and HEAD, no dot files.
func staticHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		for _, seg := range strings.Split(r.URL.Path, "/") {
			if strings.HasPrefix(seg, ".") {
				http.NotFound(w, r)
				return
			}
		}
		if ct, ok := contentTypes[strings.ToLower(path.Ext(r.URL.Path))]; ok {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache") // a rebuilt wasm is seen at once
		files.ServeHTTP(w, r)
	})
}
