package conformance

import (
	"math/rand/v2"

	"fixq/core/tensor"
)

// textImage draws a synthetic printed-text-like grey image (0 black, 255
// white): a white page with `lines` rows of black glyphs, each glyph a few
// straight strokes (stems, bars, diagonals, boxes) in a character cell,
// words separated by gaps. It is not real text, but it has what the
// PaddleOCR models react to: thin dark strokes at text-line scale on a
// bright background, with sharp edges. Deterministic for a seed.
func textImage(h, w, lines int, seed uint64) []uint8 {
	r := rand.New(rand.NewPCG(seed, 0x7e47))
	img := make([]uint8, h*w)
	for i := range img {
		img[i] = 255
	}
	band := h / lines
	for l := 0; l < lines; l++ {
		glyphH := band * 6 / 10
		if glyphH < 8 {
			glyphH = 8
		}
		top := l*band + (band-glyphH)/2
		glyphW := glyphH * 6 / 10
		thick := max(2, glyphH/9)
		x := 2 + r.IntN(max(1, w/8))
		end := w - 2 - r.IntN(max(1, w/4))
		if lines == 1 {
			end = w - 2 - r.IntN(max(1, w/10))
		}
		for x+glyphW < end {
			if r.IntN(6) == 0 { // word gap
				x += glyphW
				continue
			}
			drawGlyph(img, w, h, x, top, glyphW, glyphH, thick, r)
			x += glyphW + max(2, glyphW/4)
		}
	}
	return img
}

func drawGlyph(img []uint8, w, h, x0, y0, gw, gh, th int, r *rand.Rand) {
	rect := func(x, y, rw, rh int) {
		for yy := max(0, y); yy < min(h, y+rh); yy++ {
			for xx := max(0, x); xx < min(w, x+rw); xx++ {
				img[yy*w+xx] = uint8(20 + r.IntN(30)) // ink is not perfectly black
			}
		}
	}
	line := func(xa, ya, xb, yb int) {
		steps := max(abs(xb-xa), abs(yb-ya)) + 1
		for s := 0; s <= steps; s++ {
			rect(xa+(xb-xa)*s/steps, ya+(yb-ya)*s/steps, th, th)
		}
	}
	n := 2 + r.IntN(3)
	for i := 0; i < n; i++ {
		switch r.IntN(6) {
		case 0: // stem
			xs := x0 + r.IntN(max(1, gw-th))
			rect(xs, y0, th, gh)
		case 1: // bar at top, middle or bottom
			ys := y0 + []int{0, gh/2 - th/2, gh - th}[r.IntN(3)]
			rect(x0, ys, gw, th)
		case 2:
			line(x0, y0+gh-th, x0+gw-th, y0)
		case 3:
			line(x0, y0, x0+gw-th, y0+gh-th)
		case 4: // box (a bowl)
			bh := gh / 2
			yb := y0 + gh - bh
			rect(x0, yb, gw, th)
			rect(x0, y0+gh-th, gw, th)
			rect(x0, yb, th, bh)
			rect(x0+gw-th, yb, th, bh)
		case 5: // short stroke (a dot or accent)
			rect(x0+gw/2-th/2, y0, th, th+gh/6)
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// rotate180 turns a grey image upside down (the case PaddleOCR's cls model
// exists to detect).
func rotate180(img []uint8) []uint8 {
	out := make([]uint8, len(img))
	for i, v := range img {
		out[len(img)-1-i] = v
	}
	return out
}

// paddleInput normalises a grey image the way PaddleOCR does for its
// models, (x/255 - 0.5) / 0.5 per channel, into a [1,3,h,w] tensor with the
// same grey in all three channels.
func paddleInput(img []uint8, h, w int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, 1, 3, h, w)
	for c := 0; c < 3; c++ {
		for i, v := range img {
			t.F32[c*h*w+i] = (float32(v)/255 - 0.5) / 0.5
		}
	}
	return t
}

// randomInput fills shape with values uniform in [lo, hi) from a seeded
// generator.
func randomInput(seed uint64, lo, hi float32, shape ...int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(seed, 0xf1a7))
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = lo + (hi-lo)*r.Float32()
	}
	return t
}
