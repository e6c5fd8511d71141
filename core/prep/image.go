package prep

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // register decoders
	_ "image/png"
	"math"
)

// MaxImagePixels bounds a decoded image (64 Mpixel), checked from the
// header before the pixels are decoded.
const MaxImagePixels = 64 << 20

// InputGeometry is what the model wants: channels and spatial size.
type InputGeometry struct {
	C, H, W int
}

// DecodeImage decodes a PNG or JPEG, refusing oversized images before
// decoding their pixels.
func DecodeImage(data []byte) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a PNG or JPEG image (%v)", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%s image of %dx%d pixels is too large (limit %d pixels)", format, cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("broken %s image: %v", format, err)
	}
	return img, nil
}

// ImageToTensor writes one preprocessed image into dst, which holds
// C*H*W float32 values in the layout o.Layout (one batch item). geo gives
// the model's channels and size; o.Size/o.Crop may override the size.
func (o Options) ImageToTensor(dst []float32, img image.Image, geo InputGeometry) error {
	if geo.C != 1 && geo.C != 3 {
		return fmt.Errorf("model input has %d channels; images give 1 or 3", geo.C)
	}
	if geo.C == 1 && !o.Gray {
		o.Gray = true // a 1-channel model reads luminance
	}
	if geo.C == 3 && o.Gray {
		return fmt.Errorf("gray preprocessing gives 1 channel but the model wants 3")
	}
	if len(dst) != geo.C*geo.H*geo.W {
		return fmt.Errorf("internal: dst has %d values, want %d", len(dst), geo.C*geo.H*geo.W)
	}
	rh, rw := geo.H, geo.W
	if o.Size[0] > 0 {
		rh, rw = o.Size[0], o.Size[1]
	}
	ch, cw := rh, rw
	if o.Crop[0] > 0 {
		ch, cw = o.Crop[0], o.Crop[1]
	}
	if ch != geo.H || cw != geo.W {
		return fmt.Errorf("preprocessing gives %dx%d images but the model wants %dx%d", ch, cw, geo.H, geo.W)
	}
	if ch > rh || cw > rw {
		return fmt.Errorf("crop %dx%d is larger than the resized %dx%d", ch, cw, rh, rw)
	}
	// Planar source pixels (0..255 as float32), one plane per channel.
	b := img.Bounds()
	sh, sw := b.Dy(), b.Dx()
	planes := geo.C
	src := make([]float32, planes*sh*sw)
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			c := img.At(b.Min.X+x, b.Min.Y+y)
			if planes == 1 {
				g := color.GrayModel.Convert(c).(color.Gray)
				src[y*sw+x] = float32(g.Y)
				continue
			}
			r, gg, bb, _ := c.RGBA()
			rgb := [3]float32{float32(r >> 8), float32(gg >> 8), float32(bb >> 8)}
			if o.BGR {
				rgb[0], rgb[2] = rgb[2], rgb[0]
			}
			for k := 0; k < 3; k++ {
				src[k*sh*sw+y*sw+x] = rgb[k]
			}
		}
	}
	scale := o.Scale
	if scale == 0 {
		scale = 1.0 / 255
	}
	oy, ox := (rh-ch)/2, (rw-cw)/2
	nhwc := o.Layout == "nhwc"
	for k := 0; k < planes; k++ {
		mean, std := pick(o.Mean, k, 0), pick(o.Std, k, 1)
		plane := src[k*sh*sw : (k+1)*sh*sw]
		for y := 0; y < ch; y++ {
			for x := 0; x < cw; x++ {
				v := float64(bilinear(plane, sh, sw, rh, rw, y+oy, x+ox))
				v = (v*scale - mean) / std
				if nhwc {
					dst[(y*cw+x)*planes+k] = float32(v)
				} else {
					dst[k*ch*cw+y*cw+x] = float32(v)
				}
			}
		}
	}
	return nil
}

func pick(v []float64, k int, def float64) float64 {
	switch {
	case len(v) == 0:
		return def
	case len(v) == 1:
		return v[0]
	case k < len(v):
		return v[k]
	}
	return def
}

// bilinear samples output pixel (y, x) of an sh x sw plane resized to
// rh x rw, with half-pixel centres (ONNX Resize linear, half_pixel; no
// antialiasing). Same size is the identity.
func bilinear(p []float32, sh, sw, rh, rw, y, x int) float32 {
	if sh == rh && sw == rw {
		return p[y*sw+x]
	}
	fy := (float64(y)+0.5)*float64(sh)/float64(rh) - 0.5
	fx := (float64(x)+0.5)*float64(sw)/float64(rw) - 0.5
	fy = math.Max(0, math.Min(fy, float64(sh-1)))
	fx = math.Max(0, math.Min(fx, float64(sw-1)))
	y0, x0 := int(fy), int(fx)
	y1, x1 := min(y0+1, sh-1), min(x0+1, sw-1)
	dy, dx := float32(fy-float64(y0)), float32(fx-float64(x0))
	top := p[y0*sw+x0]*(1-dx) + p[y0*sw+x1]*dx
	bot := p[y1*sw+x0]*(1-dx) + p[y1*sw+x1]*dx
	return top*(1-dy) + bot*dy
}
