package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// result is one row of the table.
type result struct {
	name     string
	rows     int
	elapsed  time.Duration
	rss      float64 // peak RSS of the server in MiB during the phase; 0 = not measured
	check    string  // counts and whether they match the independent count
	sync     bool
	p50, p99 time.Duration
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.rows) / r.elapsed.Seconds()
}

type report struct {
	cfg     config
	started time.Time
	files   dataFiles
	rows    []result
}

func (rep *report) add(r result, err error) error {
	rep.rows = append(rep.rows, r)
	return err
}

// door is the PostgreSQL door's rate in this run (0 before it is measured).
func (rep *report) door(prefix string) float64 {
	for _, r := range rep.rows {
		if strings.HasPrefix(r.name, prefix) {
			return r.rate()
		}
	}
	return 0
}

func (rep *report) print(w io.Writer) {
	w.Write([]byte(rep.markdown()))
}

func (rep *report) markdown() string {
	var b strings.Builder
	w := rep.files.want
	fmt.Fprintf(&b, "Run %s, binary %s (%s), %d-row messy file from `intake sample %d --messy`: expect %d created, %d failed, %d skipped (counted independently).\n\n",
		rep.started.UTC().Format("2006-01-02 15:04 UTC"), rep.cfg.bin, binVersion(rep.cfg.bin), w.rows, w.rows, w.distinct, w.invalid, w.dups)
	b.WriteString("| phase | rows | s | rows/s | % of PG door | % of SQLite door | p50 / p99 ms | peak RSS MiB | created/updated/failed/skipped |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	pg, lite := rep.door("door:"), rep.door("SQLite door")
	for _, r := range rep.rows {
		lat, rss, ofLite := "", "", ""
		if r.sync {
			lat = fmt.Sprintf("%.0f / %.0f", ms(r.p50), ms(r.p99))
		}
		if r.rss > 0 {
			rss = fmt.Sprintf("%.0f", r.rss)
		}
		if strings.HasPrefix(r.name, "sqlite") || strings.HasPrefix(r.name, "SQLite") {
			ofLite = pct(r.rate(), lite)
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.0f | %s | %s | %s | %s | %s |\n",
			r.name, r.rows, r.elapsed.Seconds(), r.rate(), pct(r.rate(), pg), ofLite, lat, rss, r.check)
	}
	b.WriteString("\nPeak RSS is the server's VmHWM during the phase (reset before each). The doors use the clean file of the same size " +
		"(the messy one has in-file duplicates a unique index refuses); timings include the upload and CSV parsing.\n")
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(rate, door float64) string {
	if door <= 0 || rate <= 0 {
		return ""
	}
	return fmt.Sprintf("%.0f %%", 100*rate/door)
}

func binVersion(bin string) string {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return "version unknown"
	}
	return strings.TrimSpace(string(out))
}

// write puts the table in path with a heading, replacing what was there.
func (rep *report) write(path string) error {
	text := "# Benchmark results\n\nWritten by `bench/run.sh` (`go run ./bench/harness`); see bench/README.md.\n\n" + rep.markdown()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
