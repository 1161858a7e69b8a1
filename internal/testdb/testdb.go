// Package testdb holds test helpers that open real databases: SQLite in a
// temporary folder always, PostgreSQL in a fresh schema when
// INTAKE_TEST_POSTGRES_URL is set (CI sets it; with CI=true a missing URL
// fails the tests instead of skipping them). It is imported only by tests;
// the store contract suite itself is storetest, which opens nothing.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake/internal/postgres"
	"github.com/intake/intake/internal/sqlite"
	"github.com/intake/intake/internal/store"
)

// Backend opens a fresh, empty, migrated store for one test.
type Backend struct {
	Name string
	Open func(t testing.TB) store.Store
}

// Backends returns SQLite and, when configured, PostgreSQL.
func Backends(t testing.TB) []Backend {
	bs := []Backend{{Name: "sqlite", Open: func(t testing.TB) store.Store { return OpenSQLite(t) }}}
	if PostgresURL(t) != "" {
		bs = append(bs, Backend{Name: "postgres", Open: func(t testing.TB) store.Store { return OpenPostgres(t) }})
	}
	return bs
}

// PostgresURL returns INTAKE_TEST_POSTGRES_URL. Under CI it must be set.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("INTAKE_TEST_POSTGRES_URL")
	if u == "" && os.Getenv("CI") != "" {
		t.Fatal("CI is set but INTAKE_TEST_POSTGRES_URL is not: PostgreSQL tests must run in CI")
	}
	return u
}

// OpenSQLite opens a new SQLite store in t's temporary folder.
func OpenSQLite(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresSchemaURL creates a new schema for one test and returns a URL whose
// search_path points at it, so tests run in parallel on one database without
// seeing each other. The schema is dropped when the test ends.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	if base == "" {
		t.Skip("INTAKE_TEST_POSTGRES_URL not set")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at INTAKE_TEST_POSTGRES_URL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres opens a PostgreSQL store in a fresh schema.
func OpenPostgres(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), PostgresSchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
