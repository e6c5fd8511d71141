package quant

import "math"

// HistBins is the number of bins of an activation histogram.
const HistBins = 64

// Histogram is a point's float activation histogram in the report: Counts
// holds the number of float values in each of HistBins equal bins
// [Min + i·w, Min + (i+1)·w), w = (Max - Min) / HistBins, over the whole
// calibration set. NaN and ±Inf values are not binned; NonFinite counts
// them.
type Histogram struct {
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Counts    []int64 `json:"counts"`
	NonFinite int64   `json:"nonfinite,omitempty"`
}

// actHistogram collects a Histogram in one pass without knowing the value
// range beforehand. Its bins are aligned with the point's int8 grid: the
// bin width is a power of two 2^e, at least a quarter of the grid step
// 2^-fix_pos, and the bin edges are multiples of it (so 0 is an edge).
//
// It keeps the values >= 0 and the values < 0 apart, each in HistBins bins
// of its own width starting at 0: bin k of the positive side is
// [k·w, (k+1)·w), bin k of the negative side [-(k+1)·w, -k·w). A value
// past a side's last bin doubles that side's width (pairs of bins merge
// exactly) until it fits. A side's width is thus the smallest that holds
// all of its values: neither it nor the counts depend on the order of the
// values. histogram() then merges both sides to one width, doubled until
// the used bins of both fit in HistBins, and centres them.
type actHistogram struct {
	pos, neg  halfHist
	nonFinite int64
}

// halfHist is one side: bins of width 2^e from 0 outwards.
type halfHist struct {
	e      int
	inv    float64 // 2^-e
	counts [HistBins]int64
}

func newActHistogram(fixPos int) *actHistogram {
	e := -fixPos - 2
	h := &actHistogram{}
	h.pos.e, h.pos.inv = e, math.Ldexp(1, -e)
	h.neg.e, h.neg.inv = e, math.Ldexp(1, -e)
	return h
}

// add bins values; it allocates nothing.
func (h *actHistogram) add(values []float32) {
	for _, v := range values {
		x := float64(v)
		switch {
		case x >= 0 && x <= math.MaxFloat32:
			// x·2^-e is exact; comparing in float64 keeps a huge value
			// from overflowing an int.
			k := math.Floor(x * h.pos.inv)
			for k >= HistBins {
				h.pos.double()
				k = math.Floor(x * h.pos.inv)
			}
			h.pos.counts[int(k)]++
		case x < 0 && x >= -math.MaxFloat32:
			// x in [-(k+1)·w, -k·w)
			k := math.Ceil(-x*h.neg.inv) - 1
			for k >= HistBins {
				h.neg.double()
				k = math.Ceil(-x*h.neg.inv) - 1
			}
			h.neg.counts[int(k)]++
		default: // NaN, ±Inf
			h.nonFinite++
		}
	}
}

// double doubles the bin width: bin k goes to bin k/2 (for either side,
// as its bins count outwards from 0).
func (s *halfHist) double() {
	var c [HistBins]int64
	for k, n := range s.counts {
		c[k>>1] += n
	}
	s.counts = c
	s.e++
	s.inv /= 2
}

// used is the number of bins up to the last non-empty one.
func (s *halfHist) used() int {
	for k := HistBins - 1; k >= 0; k-- {
		if s.counts[k] != 0 {
			return k + 1
		}
	}
	return 0
}

func (h *actHistogram) histogram() *Histogram {
	pos, neg := h.pos, h.neg // copies: merging here leaves h as it is
	e := max(pos.e, neg.e)
	for pos.e < e {
		pos.double()
	}
	for neg.e < e {
		neg.double()
	}
	for pos.used()+neg.used() > HistBins {
		pos.double()
		neg.double()
	}
	nn, np := neg.used(), pos.used()
	lead := nn + (HistBins-nn-np)/2 // bins left of 0
	out := &Histogram{Counts: make([]int64, HistBins), NonFinite: h.nonFinite}
	for k := 0; k < nn; k++ {
		out.Counts[lead-1-k] = neg.counts[k]
	}
	for k := 0; k < np; k++ {
		out.Counts[lead+k] = pos.counts[k]
	}
	w := math.Ldexp(1, pos.e)
	out.Min = -float64(lead) * w
	out.Max = float64(HistBins-lead) * w
	return out
}
