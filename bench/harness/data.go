package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// dataFiles are the inputs of one run: the messy file, the same file with
// every row's city changed (an upsert that rewrites every contact), and the
// clean file of the same size for the doors (a unique index refuses the
// messy file's in-file duplicates).
type dataFiles struct {
	messy, changed, clean string
	want                  counts
}

// counts is what a correct upsert of the messy file with match on email
// and duplicates use_last must report, counted here without Intake's code.
type counts struct {
	rows     int // data rows
	distinct int // distinct valid emails (created on a first import)
	invalid  int // rows without a usable email (failed)
	dups     int // valid rows whose email a later row repeats (skipped)
}

func buildIntake(ctx context.Context, out string) (string, error) {
	bin := filepath.Join(out, "intake")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/intake")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build intake: %w", err)
	}
	return bin, nil
}

func prepareFiles(ctx context.Context, c config) (dataFiles, error) {
	f := dataFiles{
		messy:   filepath.Join(c.out, fmt.Sprintf("sample-%d-messy.csv", c.rows)),
		changed: filepath.Join(c.out, fmt.Sprintf("sample-%d-messy-changed.csv", c.rows)),
		clean:   filepath.Join(c.out, fmt.Sprintf("sample-%d.csv", c.rows)),
	}
	if err := sample(ctx, c.bin, c.rows, true, f.messy); err != nil {
		return f, err
	}
	if err := sample(ctx, c.bin, c.rows, false, f.clean); err != nil {
		return f, err
	}
	if err := changeCities(f.messy, f.changed); err != nil {
		return f, err
	}
	var err error
	f.want, err = countFile(f.messy)
	return f, err
}

// sample writes `intake sample rows [--messy]` to path, unless a previous
// run did (the generator is deterministic, so the file is the same).
func sample(ctx context.Context, bin string, rows int, messy bool, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	args := []string{"sample", fmt.Sprint(rows)}
	if messy {
		args = append(args, "--messy")
	}
	tmp := path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("sample file: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	err = cmd.Run()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("intake sample: %w", err)
	}
	return os.Rename(tmp, path)
}

// changeCities copies the messy file with " 2" appended to every city, so
// an upsert of it changes every contact it matches.
func changeCities(from, to string) error {
	if _, err := os.Stat(to); err == nil {
		return nil
	}
	return rewriteCSV(from, to, func(rec []string) { rec[5] += " 2" })
}

func rewriteCSV(from, to string, edit func([]string)) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("read %s: %w", from, err)
	}
	defer in.Close()
	out, err := os.Create(to + ".tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	defer out.Close()
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	w := csv.NewWriter(bufio.NewWriterSize(out, 1<<16))
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", from, err)
		}
		if i > 0 {
			edit(rec)
		}
		if err := w.Write(rec); err != nil {
			return fmt.Errorf("write %s: %w", to, err)
		}
	}
	if w.Flush(); w.Error() != nil {
		return fmt.Errorf("write %s: %w", to, w.Error())
	}
	return os.Rename(to+".tmp", to)
}

// countFile is the independent count: an email is usable when its trimmed
// value has an '@' (the generator's invalid emails have none), it matches
// case-insensitively, and under use_last every earlier row of a repeated
// email is skipped.
func countFile(path string) (counts, error) {
	var c counts
	seen := map[string]bool{}
	err := eachRow(path, func(rec []string) {
		c.rows++
		e := strings.ToLower(strings.TrimSpace(rec[0]))
		if !strings.Contains(e, "@") {
			c.invalid++
			return
		}
		if seen[e] {
			c.dups++
		}
		seen[e] = true
	})
	c.distinct = len(seen)
	return c, err
}

// eachRow streams the data rows of a CSV file.
func eachRow(path string, fn func([]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("read %s header: %w", path, err)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		fn(rec)
	}
}

// parseFloor is reading and splitting the file, nothing else: no importer
// can be faster.
func parseFloor(path string, want int) (result, error) {
	start := time.Now()
	n := 0
	err := eachRow(path, func([]string) { n++ })
	res := result{name: "parse-only floor (encoding/csv)", rows: n, elapsed: time.Since(start), check: "✔"}
	if err == nil && n != want {
		err = fmt.Errorf("parse floor read %d rows, want %d", n, want)
	}
	return res, err
}
