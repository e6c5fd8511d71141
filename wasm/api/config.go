package api

import (
	"fmt"
	"strconv"
	"strings"
)

// Config is the service's configuration. The zero value is valid: no auth,
// no CORS headers, the default limits.
type Config struct {
	// Token, when set, is the bearer token every /v1 route except health
	// requires (the Worker secret FIXQ_API_TOKEN).
	Token string
	// CORSOrigins lists the origins allowed to call the API from a
	// browser; "*" allows any. Empty: no CORS headers (same origin only).
	CORSOrigins []string
	// MaxBodyBytes bounds a request body (default 32 MiB).
	MaxBodyBytes int64
	// MaxModelBytes bounds the ONNX model (default 16 MiB).
	MaxModelBytes int64
	// MaxImages bounds the number of calibration images (default 500).
	MaxImages int
	// MaxTensorElements bounds every tensor built from request data: the
	// .npy calibration array, one decoded image (width*height*3), an input
	// shape (default 8Mi elements, 32 MiB of float32).
	MaxTensorElements int64
}

// Defaults of the limits.
const (
	DefaultMaxBodyBytes      = 32 << 20
	DefaultMaxModelBytes     = 16 << 20
	DefaultMaxImages         = 500
	DefaultMaxTensorElements = 8 << 20
)

// WithDefaults fills zero limits with the defaults.
func (c Config) WithDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxModelBytes <= 0 {
		c.MaxModelBytes = DefaultMaxModelBytes
	}
	if c.MaxImages <= 0 {
		c.MaxImages = DefaultMaxImages
	}
	if c.MaxTensorElements <= 0 {
		c.MaxTensorElements = DefaultMaxTensorElements
	}
	return c
}

// Environment variable (Worker var) names read by ConfigFromEnv.
const (
	EnvToken             = "FIXQ_API_TOKEN" // a secret
	EnvCORSOrigins       = "FIXQ_CORS_ORIGINS"
	EnvMaxBodyBytes      = "FIXQ_MAX_BODY_BYTES"
	EnvMaxModelBytes     = "FIXQ_MAX_MODEL_BYTES"
	EnvMaxImages         = "FIXQ_MAX_IMAGES"
	EnvMaxTensorElements = "FIXQ_MAX_TENSOR_ELEMENTS"
)

// ConfigFromEnv builds a Config from variables read by getenv ("" when
// unset): FIXQ_API_TOKEN, FIXQ_CORS_ORIGINS (comma-separated, or "*"),
// FIXQ_MAX_BODY_BYTES, FIXQ_MAX_MODEL_BYTES, FIXQ_MAX_IMAGES and
// FIXQ_MAX_TENSOR_ELEMENTS (positive integers). A malformed value is an
// error naming the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Token: strings.TrimSpace(getenv(EnvToken))}
	for _, o := range strings.Split(getenv(EnvCORSOrigins), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	var images int64
	for _, v := range []struct {
		name string
		dst  *int64
	}{
		{EnvMaxBodyBytes, &c.MaxBodyBytes},
		{EnvMaxModelBytes, &c.MaxModelBytes},
		{EnvMaxImages, &images},
		{EnvMaxTensorElements, &c.MaxTensorElements},
	} {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n > 1<<40 {
			return Config{}, fmt.Errorf("%s=%q: want a positive integer", v.name, s)
		}
		*v.dst = n
	}
	c.MaxImages = int(images)
	return c, nil
}
