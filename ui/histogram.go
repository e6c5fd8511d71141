package ui

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// GridRange is the float range an int8 tensor with this fix_pos can hold:
// [-128, 127]·2^-fixPos, in steps of 2^-fixPos (DPU-ARITHMETIC.md §1).
func GridRange(fixPos int) (lo, hi, step float64) {
	step = math.Ldexp(1, -fixPos)
	return -128 * step, 127 * step, step
}

// Chart geometry of the histogram SVG: the plot, the axis labels below it,
// then (for a layer with weights) a row for the weight range, then the
// legend lines.
const (
	chartW              = 560
	plotL, plotR        = 40, 545
	plotTop, plotBottom = 28, 150
	rowH                = 16
)

// HistogramSVG draws a layer's float activation histogram (the report's
// "histogram": the float model's values over the calibration data, in 64
// bins aligned with the int8 grid; see core/quant.Histogram) on a log
// scale, with the quantization grid's range marked as a band and, for a
// conv-like layer, its float weight range against the weight grid. A
// report row without a histogram (an older report) gets the ranges only.
// The SVG is complete markup for vg-html; every text is escaped.
func HistogramSVG(r LayerRow) string {
	var b strings.Builder
	lo, hi, step := GridRange(r.FixPos)
	xmin, xmax := lo, hi
	h := r.Histogram
	hasH := h != nil && h.Max > h.Min && len(h.Counts) > 0
	if hasH {
		xmin, xmax = math.Min(xmin, h.Min), math.Max(xmax, h.Max)
	}
	var wlo, whi, wglo, wghi float64
	hasW := len(r.WeightRange) == 2
	if hasW {
		wlo, whi = float64(r.WeightRange[0]), float64(r.WeightRange[1])
		xmin, xmax = math.Min(xmin, wlo), math.Max(xmax, whi)
		if r.WeightFixPos != nil {
			wglo, wghi, _ = GridRange(*r.WeightFixPos)
		}
	}
	pad := (xmax - xmin) * 0.05
	xmin, xmax = xmin-pad, xmax+pad
	x := func(v float64) float64 { return plotL + (v-xmin)/(xmax-xmin)*(plotR-plotL) }
	title := fmt.Sprintf("%s: tensor %s", r.Label(), r.Tensor)
	legend := []string{"blue band: activation int8 range"}
	if hasH {
		legend[0] = "bars: float activations (log scale) · " + legend[0]
	}
	if hasW {
		legend = append(legend, "green line: float weights · green band: weight int8 range")
	}
	wRow := plotBottom + 18 + rowH // the weights' row, below the axis labels
	chartH := plotBottom + 24 + len(legend)*rowH
	if hasW {
		chartH += rowH + 6
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="hist" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartW, chartH, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	// The activation grid's range as a band.
	fmt.Fprintf(&b, `<rect class="grid" x="%.1f" y="%d" width="%.1f" height="%d"/>`, x(lo), plotTop, x(hi)-x(lo), plotBottom-plotTop)
	if hasH {
		var peak int64
		for _, c := range h.Counts {
			peak = max(peak, c)
		}
		bw := (h.Max - h.Min) / float64(len(h.Counts))
		for i, c := range h.Counts {
			if c == 0 || peak == 0 {
				continue
			}
			// log scale keeps the tails visible next to the peak near 0.
			frac := math.Log1p(float64(c)) / math.Log1p(float64(peak))
			y := plotBottom - frac*float64(plotBottom-plotTop)
			x0, x1 := x(h.Min+float64(i)*bw), x(h.Min+float64(i+1)*bw)
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, x0, y, math.Max(x1-x0-0.5, 0.5), plotBottom-y)
		}
	}
	if hasW {
		y := float64(wRow)
		if r.WeightFixPos != nil {
			fmt.Fprintf(&b, `<rect class="wgrid" x="%.1f" y="%.1f" width="%.1f" height="16"/>`, x(wglo), y-8, x(wghi)-x(wglo))
		}
		fmt.Fprintf(&b, `<line class="wrange" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x(wlo), y, x(whi), y)
		if x(whi) < plotR-150 { // the label right of the line, else left of it
			fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%.1f">weights %s</text>`, x(whi)+4, y+4, html.EscapeString(r.WeightRangeText()))
		} else {
			fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%.1f" text-anchor="end">weights %s</text>`, x(wlo)-4, y+4, html.EscapeString(r.WeightRangeText()))
		}
	}
	// Axis with the grid limits and zero.
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, plotL, plotBottom, plotR, plotBottom)
	for _, t := range []struct {
		v   float64
		txt string
	}{{lo, fmtNum(lo)}, {0, "0"}, {hi, fmtNum(hi)}} {
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, x(t.v), plotBottom, x(t.v), plotBottom+5)
		fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(t.v), plotBottom+18, t.txt)
	}
	fmt.Fprintf(&b, `<text class="cap" x="%d" y="16">int8 grid, fix_pos %d: [%s, %s], step %s</text>`, plotL, r.FixPos, fmtNum(lo), fmtNum(hi), fmtNum(step))
	for i, l := range legend {
		fmt.Fprintf(&b, `<text class="note" x="%d" y="%d">%s</text>`, plotL, chartH-6-(len(legend)-1-i)*rowH, html.EscapeString(l))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
