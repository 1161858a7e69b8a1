package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// progress shows a running import: a bar on a terminal, plain lines
// otherwise, nothing when asked for none.
type progress interface {
	update(j jobView)
	finish(j jobView)
}

// newProgress picks the renderer for kind (auto, bar, lines, none) and w.
func newProgress(kind string, w io.Writer, every time.Duration) progress {
	if kind == "auto" {
		kind = "lines"
		if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
			kind = "bar"
		}
	}
	switch kind {
	case "bar":
		return &barProgress{w: w}
	case "none":
		return noProgress{}
	}
	return &lineProgress{w: w, every: every, now: time.Now}
}

type noProgress struct{}

func (noProgress) update(jobView) {}
func (noProgress) finish(jobView) {}

// barProgress is schollz/progressbar over the job's rows: it shows
// rows/s and the time left from the counts it is given.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *barProgress) update(j jobView) {
	if j.TotalRows == 0 {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(int64(j.TotalRows), progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("import %d", j.ID)), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
	}
	p.bar.Set64(int64(j.ProcessedRows))
}

func (p *barProgress) finish(j jobView) {
	if p.bar == nil {
		return
	}
	if j.Status == "completed" {
		p.bar.Set64(int64(j.TotalRows))
		p.bar.Finish()
		return
	}
	p.bar.Exit()
	fmt.Fprintln(p.w)
}

// lineProgress prints one plain line every so often: no control
// characters, so a log file or CI output stays readable.
type lineProgress struct {
	w      io.Writer
	every  time.Duration
	now    func() time.Time
	last   time.Time
	t0     time.Time
	rows0  int
	primed bool
}

func (p *lineProgress) update(j jobView) {
	now := p.now()
	if !p.primed && j.Status == "running" {
		p.t0, p.rows0, p.primed = now, j.ProcessedRows, true
	}
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	fmt.Fprintln(p.w, progressLine(j, p.rate(j, now)))
}

func (p *lineProgress) rate(j jobView, now time.Time) float64 {
	if !p.primed || now.Sub(p.t0) <= 0 {
		return 0
	}
	return float64(j.ProcessedRows-p.rows0) / now.Sub(p.t0).Seconds()
}

func (p *lineProgress) finish(jobView) {}

// progressLine says where a job is: rows, percent, rate, time left, counts.
func progressLine(j jobView, rate float64) string {
	s := fmt.Sprintf("import %d %s: %s", j.ID, j.Status, thousands(j.ProcessedRows))
	if j.TotalRows > 0 {
		s += fmt.Sprintf(" of %s rows (%d%%)", thousands(j.TotalRows), j.Progress)
	} else {
		s += " rows"
	}
	if rate > 0 {
		s += fmt.Sprintf(", %s rows/s", thousands(int(rate)))
		if left := j.TotalRows - j.ProcessedRows; left > 0 {
			s += fmt.Sprintf(", about %s left", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	return s + fmt.Sprintf("; created %s, updated %s, skipped %s, failed %s",
		thousands(j.Created), thousands(j.Updated), thousands(j.Skipped), thousands(j.FailedRows))
}

// thousands writes n with comma separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
