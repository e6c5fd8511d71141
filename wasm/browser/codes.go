package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fixq/core/ops"
	"fixq/core/quant"
)

// Error codes the worker gives with every error (fixq.d.ts lists them for
// JavaScript). The message is always the core's own; the code is a hint
// for a program that wants to react to a kind of failure.
const (
	CodeAborted        = "ABORTED"         // the job was cancelled
	CodeBadModel       = "BAD_MODEL"       // not a (valid, supported-opset) ONNX model
	CodeUnsupported    = "UNSUPPORTED"     // the model uses ops fixq cannot run
	CodeBadOptions     = "BAD_OPTIONS"     // options JSON, preprocessing, target or config
	CodeBadData        = "BAD_DATA"        // calibration/evaluation data (images, tensor)
	CodeLimit          = "LIMIT"           // over a size limit (model bytes, image count)
	CodeNotImplemented = "NOT_IMPLEMENTED" // a feature the core does not have yet
	CodeBadRequest     = "BAD_REQUEST"     // a malformed message (a bug in the caller)
	CodeInternal       = "INTERNAL"        // a panic in the core (a bug in fixq)
	CodeFailed         = "FAILED"          // anything else
)

// codedError is an error whose code the glue knows for sure (it made the
// error or knows which step failed).
type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

func withCode(code string, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code, err}
}

func errorf(code, format string, args ...any) error {
	return &codedError{code, fmt.Errorf(format, args...)}
}

// errorCode classifies an error from the job API. The core returns plain
// wrapped errors, so beyond the typed cases this looks at the message's
// prefix, which names the package or step that failed ("onnx: ...",
// "options: ...").
func errorCode(err error) string {
	var ce *codedError
	var ue *ops.UnsupportedError
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return CodeAborted
	case errors.As(err, &ue):
		return CodeUnsupported
	case errors.Is(err, quant.ErrNotImplemented):
		return CodeNotImplemented
	}
	msg := err.Error()
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("onnx:"):
		return CodeBadModel
	case strings.Contains(msg, "unsupported ops:"):
		return CodeUnsupported
	case strings.Contains(msg, "over the limit"):
		return CodeLimit
	case has("options:", "preprocessing", "quant config:", "dpu: unknown target", "preprocessing options:"):
		return CodeBadOptions
	case has("no calibration data", "calibration", ".npy", "npy:") ||
		strings.Contains(msg, "not a PNG or JPEG image") || strings.Contains(msg, "broken ") ||
		strings.Contains(msg, "no PNG or JPEG images"):
		return CodeBadData
	}
	return CodeFailed
}
