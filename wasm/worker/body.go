//go:build js && wasm

package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"syscall/js"

	"fixq/wasm/api"
)

// rawJSBody is what syumai/workers' request body (a ReadableStream
// reader) also offers: the JS stream itself.
type rawJSBody interface{ GetRawJSBody() js.Value }

// wholeBody replaces a request body of known length (at most limit
// bytes) by its bytes, read in one `await new Response(stream).
// arrayBuffer()` and one js.CopyBytesToGo. syumai's reader pulls the
// stream chunk by chunk through a promise and a goroutine handoff per
// chunk, about 17x slower. Bodies of unknown length or over the limit
// keep the stream: the handler's own limits refuse those.
func wholeBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rb, ok := r.Body.(rawJSBody); ok && r.ContentLength > 0 && r.ContentLength <= limit {
			b, err := readAll(rb.GetRawJSBody(), r.ContentLength)
			if err != nil {
				api.WriteError(w, http.StatusBadRequest, "reading the request body: "+err.Error())
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		next.ServeHTTP(w, r)
	})
}

// readAll reads a JS ReadableStream whole.
func readAll(stream js.Value, size int64) ([]byte, error) {
	ab, err := await(js.Global().Get("Response").New(stream).Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	u8 := js.Global().Get("Uint8Array").New(ab)
	n := u8.Get("byteLength").Int()
	if int64(n) > size {
		return nil, errors.New("body longer than its Content-Length")
	}
	b := make([]byte, n)
	js.CopyBytesToGo(b, u8)
	return b, nil
}

// await waits for a JS promise (from a goroutine other than the JS event
// loop's: handlers run in their own goroutine).
func await(p js.Value) (js.Value, error) {
	done := make(chan struct{})
	var v js.Value
	var err error
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v = args[0]
		close(done)
		return nil
	})
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		err = errors.New(args[0].Call("toString").String())
		close(done)
		return nil
	})
	defer catch.Release()
	p.Call("then", then, catch)
	<-done
	return v, err
}
