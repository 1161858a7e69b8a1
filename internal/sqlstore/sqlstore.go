// Package sqlstore is the SQL both stores share: the queries, column lists
// and row scans of the store contract that read the same on SQLite and
// PostgreSQL. It runs them over Querier, a small query interface that a
// *sql.Tx (SQLite) and a pgx.Tx (PostgreSQL) each satisfy through a thin
// adapter in their backend, so a backend's own statements (COPY into
// staging on PostgreSQL, River's InsertTx, the checkpoint) run in the same
// transaction as the shared ones.
//
// What differs between the databases is a Dialect value, which each backend
// supplies: placeholders, time encoding, list parameters, case folding and
// the unique-violation check. It knows no database driver, no River, no
// HTTP; a backend keeps what is truly its own (locking, migrations, COPY,
// tuned lookups) and embeds DB and Tx for the rest.
//
// Statements are written with PostgreSQL's numbered placeholders ($1, $2,
// … reusable); the SQLite adapter rewrites them to SQLite's ?1, ?2, ….
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Querier runs statements: a transaction, or a pool for single statements.
type Querier interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	// Query runs a query; the caller closes the rows.
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// QueryRow runs a query for one row; its Scan returns an error that
	// errors.Is sql.ErrNoRows when there is none (pgx's ErrNoRows is one).
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Row is one result row.
type Row interface{ Scan(dest ...any) error }

// Rows is a result set, read with Next and Scan.
type Rows interface {
	Row
	Next() bool
	Err() error
	Close()
}

// Dialect is what one database says differently. Each backend declares one.
type Dialect struct {
	// Time encodes a timestamp as the database stores it: microseconds
	// since the epoch on SQLite (an INTEGER column), a time.Time truncated
	// to microseconds on PostgreSQL (timestamptz keeps no more).
	Time func(time.Time) any
	// In is a condition that expr is among the values of list parameter
	// param ("$3"), and List encodes the values for it: a JSON array
	// unnested with json_each on SQLite (one parameter whatever the size,
	// never the bound-parameter limit), an array and = ANY on PostgreSQL.
	In   func(expr, param string) string
	List func(values any) any
	// Each is a one-column SELECT of list parameter param's values, of SQL
	// type typ (bigint, text), for INSERT … SELECT.
	Each func(param, typ string) string
	// Records is a FROM item, aliased u, of the rows of JSON parameter
	// param (an array of objects, see RecordsJSON), with columns cols
	// ("name type"): json_each on SQLite, jsonb_to_recordset on
	// PostgreSQL. One parameter carries a whole batch of rows.
	Records func(param string, cols ...string) string
	// JSONArray is a scalar subquery of expr's values over from as a JSON
	// array ([] for none).
	JSONArray func(expr, from string) string
	// Strings encodes a list of strings for a column that keeps one (a JSON
	// array on SQLite, text[] on PostgreSQL); ScanStrings reads it back.
	Strings     func([]string) any
	ScanStrings func(*[]string) any
	// JSONField is the text of key param in JSON column col (json_extract
	// or ->>), JSONKey the argument that names a key (a JSON path on
	// SQLite, the key itself on PostgreSQL).
	JSONField func(col, param string) string
	JSONKey   func(name string) any
	// HasTag is a condition that contacts.tags holds tag param.
	HasTag func(param string) string
	// Lower folds case as the engine does (SQLite's lower() is ASCII-only,
	// so SQLite registers intake_lower).
	Lower string
	// ForUpdate locks a read row until commit: " FOR UPDATE" on
	// PostgreSQL, "" on SQLite, whose one writer already excludes others.
	ForUpdate string
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation func(error) bool

	// What undo images and change sets need (undo.go, changes.go).

	// JSONObject is the function that builds a JSON object from key, value
	// pairs: jsonb_build_object, json_object.
	JSONObject string
	// AsJSON marks a column that holds JSON as JSON inside JSONObject
	// (SQLite keeps it as text, which json() turns back into JSON).
	AsJSON func(expr string) string
	// JSONList is a scalar subquery of expr's values over from (FROM …
	// WHERE …), ordered by expr, as a JSON array ([] for none).
	JSONList func(expr, from string) string
	// Populate reads the columns cols of table back out of JSON image
	// img (a column of the row in FROM): a select list naming each column
	// as itself, and what joins the row in FROM (", item" or "").
	// jsonb_populate_record on PostgreSQL, json_extract on SQLite.
	Populate func(table, img string, cols []string) (list, from string)
	// JSONElements is a FROM item, aliased j with one column value, of the
	// elements of the JSON array at key of expr ("": expr itself).
	JSONElements func(expr, key string) string
	// JSONGet is the text of key in JSON object expr (NULL for null or
	// absent).
	JSONGet func(expr, key string) string
	// HasKey is a condition that JSON object col has key expr.
	HasKey func(col, expr string) string
	// DaysBefore is timestamp parameter t minus days (an integer
	// expression) days, comparable with a stored timestamp.
	DaysBefore func(t, days string) string
}

// NullTime encodes an optional timestamp: NULL or d.Time(*t).
func (d *Dialect) NullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.Time(*t)
}

// DB is the shared part of a store: single statements outside a caller's
// transaction. Read serves reads (SQLite's reader pool; PostgreSQL's pool)
// and Write single-statement writes (SQLite's one-connection writer pool,
// so writers queue in Go; PostgreSQL's pool again).
type DB struct {
	Reader, Writer Querier
	Dialect        *Dialect
	// Clock is the store's clock: UTC, truncated to microseconds, so a
	// timestamp set on a value equals the one stored.
	Clock func() time.Time
	// InTx runs fn in a transaction of its own (no tenant lock): for the
	// few shared methods that write more than one statement.
	InTx func(ctx context.Context, fn func(Querier) error) error
}

// Tx is the shared part of one tenant-scoped transaction (store.Tx and
// store.JobTx). A backend's transaction embeds it and adds what it owns.
type Tx struct {
	Q        Querier
	Dialect  *Dialect
	TenantID int64
	// Now is the transaction's timestamp: every row it writes gets it.
	Now time.Time
}

// now is the transaction's timestamp as stored.
func (t *Tx) now() any { return t.Dialect.Time(t.Now) }

// collect scans every row with scan.
func collect[T any](rows Rows, err error, scan func(Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Savepoint implements store.Tx: fn runs inside a savepoint, undone if fn
// fails, after which the transaction stays usable.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := t.Q.Exec(ctx, `SAVEPOINT intake_sp`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := t.Q.Exec(ctx, `ROLLBACK TO SAVEPOINT intake_sp`); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
		t.Q.Exec(ctx, `RELEASE SAVEPOINT intake_sp`)
		return err
	}
	if _, err := t.Q.Exec(ctx, `RELEASE SAVEPOINT intake_sp`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}
