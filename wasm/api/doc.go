// Package api is fixq's HTTP API: a plain net/http handler that the
// Cloudflare Worker (wasm/worker) hands to workers.Serve and that tests
// drive natively with httptest.
//
// Routes (described in openapi.json, served at GET /v1/openapi.json):
//
//	GET  /v1/health        liveness, version and the effective limits
//	GET  /v1/openapi.json  the OpenAPI 3 description
//	POST /v1/inspect       ONNX body -> Inspector + latency JSON (job.Inspect)
//	POST /v1/quantize      multipart model + calib (+ options) -> zip (job.Quantize)
//
// The handler is thin glue: it checks limits, auth and content types,
// turns the request into one call of the core job API (core/job) with a
// prep.Dataset built exactly as the CLI builds it, and turns the result or
// error into a response. For the same model, calibration files and
// options, the quantized.onnx in the zip is byte-identical to the CLI's.
//
// Errors are JSON, {"error":{"code":"...","message":"..."}}:
//
//	400 bad_request             malformed request, model or options
//	401 unauthorized            missing or wrong bearer token
//	404 not_found               no such route
//	405 method_not_allowed      route exists, method does not
//	413 too_large               a size limit (Config) was exceeded
//	415 unsupported_media_type  wrong Content-Type
//	422 unsupported_model       well-formed request fixq cannot process
//	                            (unsupported ops or opset, a model the
//	                            quantizer refuses, data that does not fit it)
//	500 internal                a bug
//
// The service enforces its own limits (workerd locally enforces none):
// body size, model size, number of calibration images and tensor
// elements, all in Config.
package api
