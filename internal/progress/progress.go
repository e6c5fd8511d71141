// Package progress draws the CLI's progress bar on a terminal (stderr) or,
// when stderr is not a terminal, prints one line per stage change and per
// 10% so logs stay short.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Bar renders stage + percent updates.
type Bar struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	stage   string
	lastPct int
	drawn   bool
}

// New makes a bar writing to w; tty decides between redrawing one line and
// printing log lines.
func New(w io.Writer) *Bar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &Bar{w: w, tty: tty, lastPct: -1}
}

// Update reports that stage is pct percent (0..100) done.
func (b *Bar) Update(stage string, pct float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := int(pct)
	if p < 0 {
		p = 0
	}
	if p > 100 {
		p = 100
	}
	if b.tty {
		const width = 30
		fill := p * width / 100
		fmt.Fprintf(b.w, "\r%-28s [%s%s] %3d%%", trunc(stage, 28), strings.Repeat("#", fill), strings.Repeat(".", width-fill), p)
		b.drawn = true
		b.stage = stage
		return
	}
	if stage != b.stage || p/10 != b.lastPct/10 {
		fmt.Fprintf(b.w, "%s: %d%%\n", stage, p)
		b.stage, b.lastPct = stage, p
	}
}

// Done ends the bar's line.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
