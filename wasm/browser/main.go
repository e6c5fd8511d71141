//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"syscall/js"
	"time"

	"fixq/core/job"
)

// A job gives the event loop a turn (to deliver a "cancel" message) at
// each progress report at least yieldEvery after the last one; a turn
// costs about a millisecond. Progress messages go out at most every
// postEvery within a stage (or each whole percent).
const (
	yieldEvery = 20 * time.Millisecond
	postEvery  = 100 * time.Millisecond
)

func main() {
	w := &worker{jobs: map[int]context.CancelFunc{}}
	ready := js.Global().Get("fixqCoreReady")
	if ready.Type() != js.TypeFunction {
		fmt.Println("fixq-core: start me from fixq-worker.js (no fixqCoreReady hook)")
		return
	}
	// The hook hands the handler every queued and future message and
	// posts {type: "ready"} to the page.
	ready.Invoke(js.FuncOf(w.onMessage), job.Version)
	select {}
}

// worker runs jobs, each in its own goroutine with its own context.
type worker struct {
	mu   sync.Mutex
	jobs map[int]context.CancelFunc
}

// onMessage is called by fixq-worker.js for each message from the page.
// It must not block: jobs run in goroutines.
func (w *worker) onMessage(_ js.Value, args []js.Value) any {
	msg := arg0(args)
	if msg.Type() != js.TypeObject || msg.Get("id").Type() != js.TypeNumber {
		post(map[string]any{"type": "error", "id": -1, "code": CodeBadRequest, "message": "fixq worker: a message needs a numeric id"}, nil)
		return nil
	}
	id := msg.Get("id").Int()
	op := stringOf(msg.Get("op"))
	if op == "cancel" {
		w.mu.Lock()
		cancel := w.jobs[id]
		w.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	if _, dup := w.jobs[id]; dup {
		w.mu.Unlock()
		cancel()
		postError(id, errorf(CodeBadRequest, "fixq worker: job id %d is already running", id))
		return nil
	}
	w.jobs[id] = cancel
	w.mu.Unlock()
	go w.run(ctx, id, op, msg)
	return nil
}

func (w *worker) run(ctx context.Context, id int, op string, msg js.Value) {
	defer func() {
		w.mu.Lock()
		if cancel := w.jobs[id]; cancel != nil {
			cancel()
		}
		delete(w.jobs, id)
		w.mu.Unlock()
	}()
	defer func() {
		if r := recover(); r != nil {
			postError(id, errorf(CodeInternal, "fixq: internal error in %s: %v\n%s", op, r, debug.Stack()))
		}
	}()
	p := newProgress(id)
	var (
		result   map[string]any
		transfer []any
		err      error
	)
	switch op {
	case "inspect":
		result, err = inspect(ctx, msg)
	case "quantize":
		result, transfer, err = quantize(ctx, msg, p.report)
	case "evaluate":
		result, err = evaluate(ctx, msg, p.report)
	default:
		err = errorf(CodeBadRequest, "fixq worker: unknown op %q", op)
	}
	if err == nil {
		err = ctx.Err() // a job cancelled at its very end still rejects
	}
	if err != nil {
		postError(id, err)
		return
	}
	result["id"] = id
	result["type"] = "result"
	post(result, transfer)
}

func post(msg map[string]any, transfer []any) {
	if transfer == nil {
		transfer = []any{}
	}
	js.Global().Call("postMessage", js.ValueOf(msg), js.ValueOf(transfer))
}

func postError(id int, err error) {
	post(map[string]any{"id": id, "type": "error", "code": errorCode(err), "message": err.Error()}, nil)
}

// progress forwards the core's progress to the page and yields to the
// event loop now and then so a cancel message gets through.
type progress struct {
	id        int
	stage     string
	pct       float64
	lastPost  time.Time
	lastYield time.Time
}

func newProgress(id int) *progress { return &progress{id: id, pct: -1, lastYield: time.Now()} }

func (p *progress) report(stage string, pct float64) {
	now := time.Now()
	if stage != p.stage || pct >= p.pct+1 || pct >= 100 || now.Sub(p.lastPost) >= postEvery {
		p.stage, p.pct, p.lastPost = stage, pct, now
		post(map[string]any{"id": p.id, "type": "progress", "stage": stage, "percent": pct}, nil)
	}
	if now.Sub(p.lastYield) >= yieldEvery {
		time.Sleep(time.Millisecond) // lets the event loop run
		p.lastYield = time.Now()
	}
}
