// Command harness measures Intake against the database's fastest door in
// one run and prints one table (and writes it to bench/RESULTS.md): the
// parse-only floor, PostgreSQL COPY into a narrow table with a unique
// lower(email) index (the door), COPY into Intake's own contacts table (the
// schema door), SQLite's raw prepared insert, Intake's create, unchanged
// re-import and all-changed upserts through HTTP against `intake serve` on
// both stores, and the synchronous 1,000-record call's p50/p99 with 1 and 4
// clients, with peak RSS per phase.
//
// The binary under test is an option (-bin, env INTAKE_BIN), so a baseline
// and a candidate run back to back on the same files; the files come from
// that binary's `intake sample N --messy`. Every run's counts are checked
// against a count made here, independently of Intake, and a wrong count
// fails the run: a fast wrong import is not a result.
//
// usage: go run ./bench/harness [-rows N] [-bin PATH] [-pg URL] [-out DIR] [-results FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

type config struct {
	rows      int
	bin       string
	pg        string
	out       string
	results   string
	stores    []string
	syncCalls int
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func parseConfig() (config, error) {
	var c config
	var stores string
	flag.IntVar(&c.rows, "rows", 1_000_000, "rows in the generated messy file")
	flag.StringVar(&c.bin, "bin", os.Getenv("INTAKE_BIN"), "intake binary under test (env INTAKE_BIN; default: build ./cmd/intake into -out)")
	flag.StringVar(&c.pg, "pg", envOr("BENCH_PG", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL server (env BENCH_PG); databases are created beside this one")
	flag.StringVar(&c.out, "out", "bench/out", "folder for generated files, logs and the built binary")
	flag.StringVar(&c.results, "results", "bench/RESULTS.md", "where the table is written (\"\" for nowhere)")
	flag.StringVar(&stores, "stores", "sqlite,postgres", "stores to run Intake on")
	flag.IntVar(&c.syncCalls, "sync-calls", 40, "1,000-record sync calls per client count")
	flag.Parse()
	c.stores = strings.Split(stores, ",")
	if c.rows < 100 {
		return c, fmt.Errorf("-rows %d: want at least 100", c.rows)
	}
	abs, err := filepath.Abs(c.out)
	if err != nil {
		return c, fmt.Errorf("out folder: %w", err)
	}
	c.out = abs
	return c, os.MkdirAll(c.out, 0o755)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run() error {
	c, err := parseConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if c.bin == "" {
		if c.bin, err = buildIntake(ctx, c.out); err != nil {
			return err
		}
	}
	files, err := prepareFiles(ctx, c)
	if err != nil {
		return err
	}
	rep := &report{cfg: c, started: time.Now(), files: files}
	defer dropDatabases(c)
	if err := measure(ctx, c, files, rep); err != nil {
		rep.print(os.Stdout)
		return err
	}
	rep.print(os.Stdout)
	if c.results != "" {
		if err := rep.write(c.results); err != nil {
			return err
		}
	}
	return nil
}

// measure runs every phase in a fixed order, so two runs compare.
func measure(ctx context.Context, c config, files dataFiles, rep *report) error {
	if err := rep.add(parseFloor(files.messy, files.want.rows)); err != nil {
		return err
	}
	doors, err := measureDoors(ctx, c, files)
	if err != nil {
		return err
	}
	rep.rows = append(rep.rows, doors...)
	for _, store := range c.stores {
		rows, err := measureStore(ctx, c, store, files)
		rep.rows = append(rep.rows, rows...)
		if err != nil {
			return fmt.Errorf("%s: %w", store, err)
		}
	}
	return nil
}
