package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river/riverdriver"

	"github.com/intake/intake/internal/jobs"
	"github.com/intake/intake/internal/notify"
	"github.com/intake/intake/internal/postgres"
	"github.com/intake/intake/internal/sqlite"
	"github.com/intake/intake/internal/store"
)

// backend is an opened database: the store, and a factory for the job
// queue on the same database, built from the store's own River driver so
// that the queue can enqueue inside the store's transactions. Nothing else
// in the program knows which database it is.
type backend struct {
	store    store.Store
	newQueue func(ctx context.Context, r jobs.Runner, cfg jobs.QueueConfig) (jobs.Queue, error)
	// newNotifier starts the job-change notifier of the database (see
	// internal/notify) and returns it with the func that stops it.
	newNotifier func(ctx context.Context) (notify.Notifier, func() error, error)
}

// registry maps a database URL's prefix to the backend that opens it.
// Adding a database is one line here and one open function.
var registry = []struct {
	prefix string
	open   func(ctx context.Context, url string) (backend, error)
}{
	{"sqlite:", openSQLite},
	{"postgres://", openPostgres},
	{"postgresql://", openPostgres},
}

// knownDatabase reports whether a backend in registry opens url.
func knownDatabase(url string) bool {
	for _, r := range registry {
		if strings.HasPrefix(url, r.prefix) {
			return true
		}
	}
	return false
}

// openBackend opens and migrates the database at url: "sqlite:PATH" or
// "postgres://…".
func openBackend(ctx context.Context, url string) (backend, error) {
	for _, r := range registry {
		if strings.HasPrefix(url, r.prefix) {
			return r.open(ctx, url)
		}
	}
	return backend{}, fmt.Errorf("database url %q: want sqlite:PATH or postgres://…", url)
}

func openSQLite(ctx context.Context, url string) (backend, error) {
	db, err := sqlite.Open(ctx, strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		return backend{}, err
	}
	be := newBackend(db, db.RiverDriver())
	// One process owns a SQLite database: an in-process signal reaches
	// every waiter.
	be.newNotifier = func(context.Context) (notify.Notifier, func() error, error) {
		return notify.NewLocal(), func() error { return nil }, nil
	}
	return be, nil
}

func openPostgres(ctx context.Context, url string) (backend, error) {
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return backend{}, err
	}
	be := newBackend(db, db.RiverDriver())
	be.newNotifier = func(ctx context.Context) (notify.Notifier, func() error, error) {
		n, err := db.Notifier(ctx)
		if err != nil {
			return nil, nil, err
		}
		return n, n.Close, nil
	}
	return be, nil
}

// newBackend pairs a store with a queue factory over its River driver.
// Store and driver share TTx (*sql.Tx on SQLite, pgx.Tx on PostgreSQL), so
// the pairing is checked when the program compiles: each queue it makes
// is paired with the store (store.Pairable), whose job transactions then
// enqueue through it inside themselves.
func newBackend[TTx any](st store.Pairable[TTx], driver riverdriver.Driver[TTx]) backend {
	return backend{store: st, newQueue: func(ctx context.Context, r jobs.Runner, cfg jobs.QueueConfig) (jobs.Queue, error) {
		q, err := jobs.NewQueue(ctx, driver, r, cfg)
		if err != nil {
			return nil, err
		}
		st.Pair(q)
		return q, nil
	}}
}
