package api

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"fixq/core/job"
	"fixq/core/npy"
	"fixq/core/prep"
	"fixq/dpu"
)

// maxOptionsBytes bounds the options JSON part.
const maxOptionsBytes = 1 << 20

// quantizeForm is a parsed POST /v1/quantize request.
type quantizeForm struct {
	model   []byte
	options []byte
	images  map[string][]byte // calibration images by file name
	names   []string          // their names, in request order
	npyName string
	npy     []byte   // or one .npy tensor
	broken  []string // images whose header does not decode
}

// quantize answers POST /v1/quantize: multipart parts "model" (ONNX),
// "calib" (images, or one .npy) and an optional "options" (the
// job.QuantizeOptions JSON) -> a zip of quantized.onnx, quant_info.json,
// report.json and warnings.json (job.QuantizeResult).
func (h *handler) quantize(w http.ResponseWriter, r *http.Request) error {
	if err := noQuery(r); err != nil {
		return err
	}
	f, err := h.readQuantizeForm(r)
	if err != nil {
		return err
	}
	opts, err := job.ParseQuantizeOptions(f.options)
	if err != nil {
		return withStatus(http.StatusBadRequest, err)
	}
	if _, err := dpu.LookupTarget(opts.Target); err != nil {
		return withStatus(http.StatusBadRequest, fmt.Errorf("options: %w", err))
	}
	if len(f.broken) > 0 && !opts.SkipBadImages {
		return statusErr(http.StatusBadRequest, "calib: %s: not a PNG or JPEG image (set skip_bad_images to skip such files)", strings.Join(f.broken, ", "))
	}
	m, err := h.loadModel(f.model)
	if err != nil {
		return err
	}
	var calib *prep.Dataset
	if f.npy != nil {
		hdr, err := npy.ReadHeader(bytes.NewReader(f.npy))
		if err != nil {
			return statusErr(http.StatusBadRequest, "calib %s: %v", f.npyName, err)
		}
		if err := h.checkElements("calib "+f.npyName, hdr.Shape); err != nil {
			return err
		}
		if calib, err = prep.FromNPY(bytes.NewReader(f.npy)); err != nil {
			return statusErr(http.StatusBadRequest, "calib %s: %v", f.npyName, err)
		}
	} else {
		// One batch of preprocessed images must fit the tensor limit.
		_, geo, _, err := job.ModelGeometry(m, opts.Preprocess)
		if err != nil {
			return withStatus(http.StatusUnprocessableEntity, err)
		}
		batch := opts.BatchSize
		if batch <= 0 {
			batch = 16
		}
		batch = min(batch, len(f.names))
		if err := h.checkElements("a batch of preprocessed images", []int{batch, geo.C, geo.H, geo.W}); err != nil {
			return err
		}
		load := func(name string) ([]byte, error) { return f.images[name], nil }
		if calib, err = prep.FromFiles(f.names, load, false); err != nil {
			return withStatus(http.StatusBadRequest, err)
		}
	}
	lim := job.Limits{MaxModelBytes: h.cfg.MaxModelBytes, MaxImages: h.cfg.MaxImages}
	res, err := job.Quantize(r.Context(), job.QuantizeRequest{Model: f.model, Calib: calib, Options: opts}, lim, nil)
	if err != nil {
		return withStatus(http.StatusUnprocessableEntity, err)
	}
	warnings := res.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	wj, err := indentJSON(warnings)
	if err != nil {
		return err
	}
	z, err := deterministicZip([]zipEntry{
		{"quantized.onnx", res.Model},
		{"quant_info.json", res.QuantInfo},
		{"report.json", res.Report},
		{"warnings.json", wj},
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="quantized.zip"`)
	w.Header().Set("X-Fixq-Warnings", fmt.Sprint(len(res.Warnings)))
	writeBytes(w, http.StatusOK, "application/zip", z)
	return nil
}

// readQuantizeForm reads the multipart parts, each bounded by its limit.
func (h *handler) readQuantizeForm(r *http.Request) (*quantizeForm, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, statusErr(http.StatusUnsupportedMediaType, "POST /v1/quantize wants Content-Type: multipart/form-data with parts model, calib and options, got %q", r.Header.Get("Content-Type"))
	}
	if params["boundary"] == "" {
		return nil, statusErr(http.StatusBadRequest, "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	f := &quantizeForm{images: map[string][]byte{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, formErr(err)
		}
		if err := h.readPart(f, p); err != nil {
			return nil, err
		}
	}
	switch {
	case f.model == nil:
		return nil, statusErr(http.StatusBadRequest, "no model part")
	case f.npy == nil && len(f.names) == 0:
		return nil, statusErr(http.StatusBadRequest, "no calib part (images, or one .npy)")
	case f.npy != nil && len(f.names) > 0:
		return nil, statusErr(http.StatusBadRequest, "calib: give images or one .npy, not both")
	}
	return f, nil
}

func (h *handler) readPart(f *quantizeForm, p *multipart.Part) error {
	defer p.Close()
	switch name := p.FormName(); name {
	case "model":
		if f.model != nil {
			return statusErr(http.StatusBadRequest, "more than one model part")
		}
		b, err := readAllLimited(p, -1, h.cfg.MaxModelBytes, "model")
		if err != nil {
			return formErr(err)
		}
		f.model = b
	case "options":
		if f.options != nil {
			return statusErr(http.StatusBadRequest, "more than one options part")
		}
		b, err := readAllLimited(p, -1, maxOptionsBytes, "options")
		if err != nil {
			return formErr(err)
		}
		f.options = append(b, ' ') // non-nil even when empty
	case "calib":
		file := partFileName(p)
		if file == "" {
			return statusErr(http.StatusBadRequest, "a calib part has no filename (send files: name=calib; filename=...)")
		}
		b, err := readAllLimited(p, -1, h.cfg.MaxBodyBytes, "calib "+file)
		if err != nil {
			return formErr(err)
		}
		switch {
		case strings.HasSuffix(strings.ToLower(file), ".npy"):
			if f.npy != nil {
				return statusErr(http.StatusBadRequest, "calib: more than one .npy (%s, %s); give one [N, ...] array", f.npyName, file)
			}
			f.npy, f.npyName = b, file
		case prep.IsImageName(file):
			if _, dup := f.images[file]; dup {
				return statusErr(http.StatusBadRequest, "calib: two files named %q", file)
			}
			if len(f.names) >= h.cfg.MaxImages {
				return statusErr(http.StatusRequestEntityTooLarge, "calib: more than the limit of %d images", h.cfg.MaxImages)
			}
			// The header bounds the decoded pixels now; an image whose
			// header does not decode is refused unless skip_bad_images
			// (known only once the options part is read).
			if cfg, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil {
				if err := h.checkElements("calib "+file, []int{cfg.Height, cfg.Width, 3}); err != nil {
					return err
				}
			} else {
				f.broken = append(f.broken, file)
			}
			f.images[file] = b
			f.names = append(f.names, file)
		default:
			return statusErr(http.StatusBadRequest, "calib part %q is neither a PNG/JPEG image nor a .npy", file)
		}
	default:
		return statusErr(http.StatusBadRequest, "unknown part %q (parts: model, calib, options)", name)
	}
	return nil
}

// partFileName is the part's filename as sent, keeping folders
// ("class/img.png"), which multipart.Part.FileName strips.
func partFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ReplaceAll(params["filename"], `\`, "/"), "/")
}

// formErr classifies a multipart read error: over a limit stays 413,
// anything else is a malformed request.
func formErr(err error) error {
	var mbe *http.MaxBytesError
	var he *httpError
	if errors.As(err, &mbe) || errors.As(err, &he) {
		return err
	}
	return statusErr(http.StatusBadRequest, "malformed multipart body: %v", err)
}
