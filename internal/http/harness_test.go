package http_test

// The harness of the black-box HTTP tests: it builds the server from a store
// the way cmd/intake wires `intake serve` (upload bucket, import service,
// River queue on the store's own database, heartbeats, metrics) and serves it
// through httptest, a real listener. The tests see only URLs and keys, so
// they survive any rewrite of the handlers behind them.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"gocloud.dev/blob/fileblob"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/apitest"
	intakehttp "github.com/intake/intake/internal/http"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/jobs"
	"github.com/intake/intake/internal/metrics"
	"github.com/intake/intake/internal/notify"
	"github.com/intake/intake/internal/postgres"
	"github.com/intake/intake/internal/source"
	"github.com/intake/intake/internal/sqlite"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// testBackend is a database URL factory: SQLite always, PostgreSQL when
// configured. The URL names a store opened once for the test (openStores).
type testBackend struct {
	name string
	url  func(t *testing.T) string
}

func backends(t *testing.T) []testBackend {
	bs := []testBackend{{"sqlite", sqliteURL}}
	if testdb.PostgresURL(t) != "" {
		bs = append(bs, testBackend{"postgres", func(t *testing.T) string {
			u := testdb.PostgresSchemaURL(t)
			openStore(t, u)
			return u
		}})
	}
	return bs
}

// sqliteURL opens a new SQLite database in t's temporary folder.
func sqliteURL(t *testing.T) string {
	u := "sqlite:" + filepath.Join(t.TempDir(), "intake.db")
	openStore(t, u)
	return u
}

// openStores holds the stores the tests' database URLs name: one store per
// database, shared by the server and the key factory, closed with the test
// that opened it.
var openStores sync.Map

// openStore opens and migrates the store at url, once.
func openStore(t *testing.T, url string) store.Store {
	t.Helper()
	if st, ok := openStores.Load(url); ok {
		return st.(store.Store)
	}
	ctx := context.Background()
	var st store.Store
	var err error
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		st, err = sqlite.Open(ctx, path)
	} else {
		st, err = postgres.Open(ctx, url)
	}
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	openStores.Store(url, st)
	t.Cleanup(func() {
		openStores.Delete(url)
		st.Close()
	})
	return st
}

// serverConfig is what `intake serve` takes from its flags, at the
// defaults cmd/intake uses.
type serverConfig struct {
	MaxUploadBytes  int64
	LocationPrivate bool
	BodyIdle        time.Duration
	Retention       time.Duration
	SweepEvery      time.Duration
	TempDir         string
	ChunkSize       int
	// Limits are the HTTP request limits (zero: their defaults).
	Limits intakehttp.Limits
	// ParkedTTL and MaxParkedBytes bound jobs awaiting their mapping
	// (zero: the defaults).
	ParkedTTL      time.Duration
	MaxParkedBytes int64
	// UploadDir is where uploads are kept; "" is a new temporary folder.
	UploadDir string
}

func defaultServerConfig() serverConfig {
	return serverConfig{MaxUploadBytes: imports.DefaultMaxUploadBytes, BodyIdle: intakehttp.DefaultBodyIdle,
		Retention: imports.DefaultRetention, SweepEvery: jobs.DefaultSweepEvery, ChunkSize: importer.DefaultChunkSize}
}

// serve starts the service on the database dbURL names, with its workers,
// behind a real listener, and returns its base URL. Each option changes
// the configuration as a flag of `intake serve` would.
func serve(t *testing.T, dbURL string, options ...func(*serverConfig)) string {
	t.Helper()
	cfg := defaultServerConfig()
	for _, o := range options {
		o(&cfg)
	}
	st := openStore(t, dbURL)
	ctx := context.Background()
	uploads := cfg.UploadDir
	if uploads == "" {
		uploads = t.TempDir()
	}
	bucket, err := fileblob.OpenBucket(uploads, &fileblob.Options{CreateDir: true, NoTempDir: true})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(intakehttp.LogHandler{Handler: slog.NewTextHandler(io.Discard, nil)})
	prom := metrics.New(st, logger)
	processID := jobs.NewProcessID()
	stopping := make(chan struct{})
	svc := imports.New(st, bucket, imports.DefaultRegion, cfg.ChunkSize)
	svc.Logger, svc.MaxUploadBytes, svc.LocationPrivate = logger, cfg.MaxUploadBytes, cfg.LocationPrivate
	svc.Stopping, svc.Observer = stopping, prom
	svc.Retention, svc.MaxReportRows, svc.MaxXLSXUnzipped = cfg.Retention, imports.DefaultMaxReportRows, source.DefaultMaxUnzippedBytes
	svc.UploadDir, svc.TempDir = uploads, cfg.TempDir
	svc.ParkedTTL, svc.MaxParkedBytes = cfg.ParkedTTL, cfg.MaxParkedBytes
	svc.Notifier = newNotifier(t, st)
	q, err := newQueue(ctx, st, svc, jobs.QueueConfig{Logger: logger, ProcessID: processID, Heartbeats: st,
		StaleAfter: jobs.DefaultStaleAfter, Sweeper: svc, SweepEvery: cfg.SweepEvery})
	if err != nil {
		t.Fatal(err)
	}
	svc.Queue = q
	srv := intakehttp.NewServer(intakehttp.Config{Store: st, Imports: svc, Logger: logger, BodyIdle: cfg.BodyIdle,
		Limits: cfg.Limits, ProcessID: processID, IdempotencyTTL: intakehttp.DefaultIdempotencyTTL, StaleAfter: jobs.DefaultStaleAfter, Metrics: prom})
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	// As serve's graceful shutdown: imports stop after their chunk, the
	// listener drains, the queue waits for its imports.
	t.Cleanup(func() {
		close(stopping)
		ts.Close()
		stop, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := q.Stop(stop); err != nil {
			t.Errorf("stop queue: %v", err)
		}
		bucket.Close()
	})
	return ts.URL
}

// newNotifier starts the job-change notifier of the store's database, as
// cmd/intake's backend does: LISTEN/NOTIFY on PostgreSQL, an in-process
// signal on SQLite.
func newNotifier(t *testing.T, st store.Store) notify.Notifier {
	t.Helper()
	db, ok := st.(*postgres.DB)
	if !ok {
		return notify.NewLocal()
	}
	n, err := db.Notifier(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// newQueue builds the River queue on the store's own database and pairs
// the store with it, as cmd/intake's backend does: job transactions then
// enqueue through it inside themselves.
func newQueue(ctx context.Context, st store.Store, r jobs.Runner, cfg jobs.QueueConfig) (jobs.Queue, error) {
	switch db := st.(type) {
	case *sqlite.DB:
		return queueOn(ctx, db, db.RiverDriver(), r, cfg)
	case *postgres.DB:
		return queueOn(ctx, db, db.RiverDriver(), r, cfg)
	}
	return nil, fmt.Errorf("no River driver for %T", st)
}

func queueOn[TTx any](ctx context.Context, st store.Pairable[TTx], d riverdriver.Driver[TTx], r jobs.Runner, cfg jobs.QueueConfig) (jobs.Queue, error) {
	q, err := jobs.NewQueue(ctx, d, r, cfg)
	if err != nil {
		return nil, err
	}
	st.Pair(q)
	return q, nil
}

// newKey creates an API key for tenant (made if new) with the comma list of
// scopes, as `intake keys create` does.
func newKey(t *testing.T, dbURL, tenant, scopes string) string {
	t.Helper()
	st := openStore(t, dbURL)
	ss, err := intake.ParseScopes(scopes)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tn, err := st.EnsureTenant(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	key, hash := intake.NewAPIKey()
	if err := st.CreateAPIKey(ctx, tn.ID, hash, ss); err != nil {
		t.Fatal(err)
	}
	return key
}

// waitFor polls cond until it holds (true) or within passes (false): the
// one wait on state of these tests, so none sleeps on its own.
func waitFor(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// client speaks JSON to the server with one key.
type client struct {
	t    *testing.T
	base string
	key  string
}

func (c client) do(method, path string, body any) (int, map[string]any, string) {
	c.t.Helper()
	return c.send(method, path, "application/json", apitest.JSON(c.t, body))
}

// send makes one request with the client's key and decodes a JSON answer.
func (c client) send(method, path, contentType string, body io.Reader) (int, map[string]any, string) {
	c.t.Helper()
	return apitest.Send(c.t, c.base, c.key, method, path, contentType, body)
}

func num(m map[string]any, k string) int { return apitest.Num(m, k) }

func records(n int, f func(i int) map[string]any) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}
