package ui

import (
	"errors"
	"fmt"

	"github.com/vugu/vugu/js"
)

// Bridge is the page glue's object (globalThis.fixqApp, public/app-glue.js):
// the UI's one way to the core module. Every long call returns a promise;
// the methods here wait for it, so they must run in a goroutine, never in
// a Vugu event handler (the browser's one thread would wait on itself).
type Bridge struct{ v js.Value }

// GlobalBridge finds the glue's bridge object.
func GlobalBridge() (Bridge, error) {
	v := js.Global().Get("fixqApp")
	if !v.Truthy() {
		return Bridge{}, errors.New("the page glue (app-glue.js) did not load")
	}
	return Bridge{v}, nil
}

// CoreError is an error from the core module (an Error with a code) or
// the glue.
type CoreError struct {
	Code    string // the module's code (BAD_MODEL, UNSUPPORTED, BAD_DATA, ABORTED, ...)
	Message string // the core's own message
}

func (e *CoreError) Error() string { return e.Message }

// await waits for a promise: its value or the rejection as a *CoreError.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) interface{} {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) interface{} {
		ce := &CoreError{Code: "FAILED", Message: "unknown error"}
		if len(args) > 0 {
			e := args[0]
			if c := e.Get("code"); c.Type() == js.TypeString {
				ce.Code = c.String()
			}
			if m := e.Get("message"); m.Type() == js.TypeString {
				ce.Message = m.String()
			} else {
				ce.Message = e.Call("toString").String()
			}
		}
		ch <- result{err: ce}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	r := <-ch
	return r.v, r.err
}

// call invokes a bridge method that returns a promise and waits for it.
func (b Bridge) call(method string, args ...interface{}) (js.Value, error) {
	if !b.v.Truthy() {
		return js.Undefined(), errors.New("the page glue is not loaded")
	}
	return await(b.v.Call(method, args...))
}

// Version is the core module's version ("" until it has loaded).
func (b Bridge) Version() string {
	if !b.v.Truthy() {
		return ""
	}
	v := b.v.Get("version")
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

// Images turns a FileList (from an input) into the glue's sorted array of
// image files (PNG, JPEG), with their count and the folder they share.
func (b Bridge) Images(fileList js.Value) (files js.Value, n int, folder string) {
	r := b.v.Call("images", fileList)
	files = r.Get("files")
	return files, files.Length(), r.Get("folder").String()
}

// ReadBytes copies a File's bytes into Go.
func (b Bridge) ReadBytes(file js.Value) ([]byte, error) {
	v, err := b.call("readBytes", file)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, v.Length())
	js.CopyBytesToGo(buf, v)
	return buf, nil
}

// Inspect runs the Inspector on the model file; it returns the result JSON.
func (b Bridge) Inspect(model js.Value, optionsJSON string) (string, error) {
	v, err := b.call("inspect", model, optionsJSON)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// QuantizeResult is what the glue hands back from a quantization: the two
// JSON documents, the warnings, blob: URLs of the three downloads and the
// time the module took.
type QuantizeResult struct {
	Report, QuantInfo                 string
	Warnings                          []string
	ModelURL, QuantInfoURL, ReportURL string
	ModelBytes                        int
	Millis                            float64
}

// Quantize quantizes with the calibration files; progress gets the
// module's stage and percent (on the browser's thread: it must not block).
func (b Bridge) Quantize(model, calib js.Value, optionsJSON string, progress func(stage string, pct float64)) (*QuantizeResult, error) {
	cb := js.FuncOf(func(_ js.Value, args []js.Value) interface{} {
		if len(args) >= 2 {
			progress(args[0].String(), args[1].Float())
		}
		return nil
	})
	defer cb.Release()
	v, err := b.call("quantize", model, calib, optionsJSON, cb)
	if err != nil {
		return nil, err
	}
	r := &QuantizeResult{
		Report: v.Get("report").String(), QuantInfo: v.Get("quantInfo").String(),
		ModelURL: v.Get("modelURL").String(), QuantInfoURL: v.Get("quantInfoURL").String(),
		ReportURL: v.Get("reportURL").String(), ModelBytes: v.Get("modelBytes").Int(),
		Millis: v.Get("ms").Float(),
	}
	w := v.Get("warnings")
	for i := 0; i < w.Length(); i++ {
		r.Warnings = append(r.Warnings, w.Index(i).String())
	}
	return r, nil
}

// Evaluate measures float and quantized top-1 on the labelled evaluation
// files (the last quantized model); it returns EvalResult JSON.
func (b Bridge) Evaluate(model, evalFiles js.Value, optionsJSON string, progress func(stage string, pct float64)) (string, error) {
	cb := js.FuncOf(func(_ js.Value, args []js.Value) interface{} {
		if len(args) >= 2 {
			progress(args[0].String(), args[1].Float())
		}
		return nil
	})
	defer cb.Release()
	v, err := b.call("evaluate", model, evalFiles, optionsJSON, cb)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// IsCode reports whether err is a CoreError with the code.
func IsCode(err error, code string) bool {
	var ce *CoreError
	return errors.As(err, &ce) && ce.Code == code
}

// Cancel aborts the running job (its promise rejects with code ABORTED).
func (b Bridge) Cancel() {
	if b.v.Truthy() {
		b.v.Call("cancel")
	}
}

// Demo is the bundled demo as the glue fetched it.
type Demo struct {
	Model, Calib, Eval js.Value
	CalibN, EvalN      int
	Manifest           string
}

// LoadDemo fetches public/demo (same-origin static files).
func (b Bridge) LoadDemo() (*Demo, error) {
	v, err := b.call("loadDemo")
	if err != nil {
		return nil, err
	}
	d := &Demo{Model: v.Get("model"), Calib: v.Get("calib"), Eval: v.Get("eval"), Manifest: v.Get("manifest").String()}
	d.CalibN, d.EvalN = d.Calib.Length(), d.Eval.Length()
	return d, nil
}

// Drop is what the user dropped on the page, sorted by the glue.
type Drop struct {
	Model   js.Value // an .onnx file, or undefined
	Images  js.Value // image files (from files and folders)
	ImageN  int
	Folder  string
	ForEval bool // dropped on the evaluation area
}

// OnDrop registers f for drops on the page; f runs on the browser's thread.
func (b Bridge) OnDrop(f func(Drop)) {
	if !b.v.Truthy() {
		return
	}
	cb := js.FuncOf(func(_ js.Value, args []js.Value) interface{} {
		if len(args) == 0 {
			return nil
		}
		d := args[0]
		f(Drop{Model: d.Get("model"), Images: d.Get("images"), ImageN: d.Get("images").Length(),
			Folder: d.Get("folder").String(), ForEval: d.Get("forEval").Truthy()})
		return nil
	})
	b.v.Call("onDrop", cb) // lives as long as the page
}

// Describe turns an error into a title and a message a user can act on.
func Describe(err error) (title, detail string) {
	var ce *CoreError
	if !errors.As(err, &ce) {
		return "Something went wrong", err.Error()
	}
	switch ce.Code {
	case "ABORTED":
		return "Cancelled", "The job was cancelled; nothing was changed."
	case "BAD_MODEL":
		return "This is not a model fixq can read", ce.Message
	case "UNSUPPORTED":
		return "The model uses operators fixq does not support", ce.Message
	case "BAD_DATA":
		return "An image could not be used", ce.Message + ` (tick "Skip images that fail to decode" to leave such images out)`
	case "BAD_OPTIONS":
		return "An option is not valid", ce.Message
	case "LIMIT":
		return "Too large", ce.Message
	case "NOT_IMPLEMENTED":
		return "Not available yet", ce.Message
	case "OUT_OF_MEMORY", "OOM":
		return "Out of memory", ce.Message + " — the page is still usable: try fewer calibration images or a smaller model, or close other tabs."
	case "CRASHED", "START_FAILED", "VERSION_MISMATCH", "TERMINATED":
		return "The quantizer stopped", ce.Message + " — it restarts on the next job."
	case "INTERNAL":
		return "Internal error in fixq (a bug)", ce.Message
	}
	return "The job failed", ce.Message
}

// errorf makes a page-side error with a code.
func errorf(code, format string, args ...interface{}) error {
	return &CoreError{Code: code, Message: fmt.Sprintf(format, args...)}
}
