//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
)

var (
	uint8Array   = js.Global().Get("Uint8Array")
	float32Array = js.Global().Get("Float32Array")
	arrayBuffer  = js.Global().Get("ArrayBuffer")
)

// await waits for a JavaScript promise. It blocks the calling goroutine
// (never call it from a js.Func callback), which lets Go return to the
// event loop until the promise settles.
func await(p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: arg0(args)}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{err: jsError(arg0(args))}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	s := <-ch
	return s.v, s.err
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// jsError turns a thrown JavaScript value into a Go error.
func jsError(v js.Value) error {
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString {
			return errors.New(m.String())
		}
	}
	return errors.New(v.String())
}

// bytesOf copies an ArrayBuffer, a typed array or a DataView into Go.
func bytesOf(v js.Value, what string) ([]byte, error) {
	var u8 js.Value
	switch {
	case v.InstanceOf(arrayBuffer):
		u8 = uint8Array.New(v)
	case v.Type() == js.TypeObject && v.Get("buffer").Type() == js.TypeObject && v.Get("byteLength").Type() == js.TypeNumber:
		u8 = uint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
	default:
		return nil, errorf(CodeBadRequest, "%s: want an ArrayBuffer, got %s", what, v.Type())
	}
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b, nil
}

// readBlob reads one Blob (or File) through blob.arrayBuffer().
func readBlob(blob js.Value) ([]byte, error) {
	if blob.Type() != js.TypeObject || blob.Get("arrayBuffer").Type() != js.TypeFunction {
		return nil, fmt.Errorf("not a Blob")
	}
	ab, err := await(blob.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	return bytesOf(ab, "blob")
}

// toArrayBuffer copies Go bytes into a new ArrayBuffer (to be transferred).
func toArrayBuffer(b []byte) js.Value {
	u8 := uint8Array.New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8.Get("buffer")
}

// stringOf reads an optional string field ("" if absent).
func stringOf(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}
