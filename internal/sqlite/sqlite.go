// Package sqlite is the store on embedded SQLite (modernc.org/sqlite, pure
// Go): the zero-configuration default. It owns its schema migrations and
// SQL; it knows nothing of HTTP or file formats.
//
// SQLite has one writer at a time. The store keeps a separate one-connection
// pool for writes, so writers queue in Go instead of spinning on
// SQLITE_BUSY, and a pool of readers that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver

	"github.com/intake/intake"
	"github.com/intake/intake/internal/sqlstore"
	"github.com/intake/intake/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

func init() {
	// intake_lower folds case as the engine does (Go's strings.ToLower), so
	// name matching is case-insensitive beyond ASCII; see migration 00004.
	sqlite.MustRegisterDeterministicScalarFunction("intake_lower", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return strings.ToLower(v), nil
			case []byte:
				return strings.ToLower(string(v)), nil
			}
			return args[0], nil
		})
}

// DB is the SQLite store. It implements store.Store.
type DB struct {
	sqlstore.DB
	// queue is the job queue the store is paired with (Pair).
	queue sqlstore.Queue[*sql.Tx]
	read  *sql.DB
	write *sql.DB
	now   func() time.Time
}

var _ store.Pairable[*sql.Tx] = (*DB)(nil)

// DSN returns the modernc DSN for path with the pragmas Intake relies on:
// WAL (readers beside the writer), NORMAL sync (durable at checkpoints, no
// fsync per commit), a busy timeout for other processes such as
// `intake keys create` beside `intake serve`, and BEGIN IMMEDIATE so a write
// transaction takes the write lock up front instead of failing on upgrade.
//
// cacheKiB is the page cache of each connection: the writer gets 32 MiB (the
// default is 2 MiB) so the index pages of a million-contact table stay
// cached and inserts do not slow as the table grows; readers keep the default.
// wal_autocheckpoint 10000 pages (~40 MiB of WAL on disk, default 1000)
// checkpoints a tenth as often during an import: 300k rows 12.1 → 10.4 s,
// two runs each.
func DSN(path string, cacheKiB int) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(ON)",
		fmt.Sprintf("cache_size(-%d)", cacheKiB), "temp_store(MEMORY)", "wal_autocheckpoint(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string) (*DB, error) {
	write, err := sql.Open("sqlite", DSN(path, 32<<10))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", DSN(path, 2<<10))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	db := &DB{read: read, write: write, now: time.Now}
	db.DB = sqlstore.DB{Reader: adapter{read}, Writer: adapter{write}, Dialect: dialect, Clock: db.timestamp, InTx: db.inTx}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Migrate applies the embedded migrations. Goose holds one connection of
// the write pool for its bookkeeping and runs a Go migration on another
// (autoincrement.go), so the pool takes two meanwhile; migrations run
// before the store serves anything, so no other writer meets the second.
func (db *DB) Migrate(ctx context.Context) error {
	db.write.SetMaxOpenConns(2)
	defer db.write.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, mustSub(migrations, "migrations"),
		goose.WithGoMigrations(autoincrementMigration()))
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite migrate: %w", err)
	}
	return nil
}

// RiverDriver returns a River driver on the store's one-connection write
// pool, so the job queue keeps its tables in this database, River and the
// store take turns as SQLite's one writer instead of meeting SQLITE_BUSY,
// and a queue can enqueue inside a Jobs transaction (whose Driver is the
// *sql.Tx this driver takes).
func (db *DB) RiverDriver() riverdriver.Driver[*sql.Tx] { return riversqlite.New(db.write) }

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// timestamp is now as the store keeps it: UTC microseconds.
func (db *DB) timestamp() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a write transaction of its own (sqlstore.DB.InTx).
func (db *DB) inTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	if err := fn(adapter{sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// contactCols is what every contact SELECT returns (sqlstore.ScanContact).
var contactCols = dialect.ContactSelect()

// Write implements store.Store. SQLite has a single writer, so the tenant
// lock is the database's own write lock, taken by BEGIN IMMEDIATE.
func (db *DB) Write(ctx context.Context, tenantID int64, fn func(store.Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{Tx: sqlstore.Tx{Q: adapter{sqlTx}, Dialect: dialect, TenantID: tenantID, Now: db.timestamp()}, tx: sqlTx, queue: &db.queue}
	if err := fn(t); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// tx implements store.Tx: the shared SQL (sqlstore.Tx) and SQLite's own.
type tx struct {
	sqlstore.Tx
	tx    *sql.Tx
	queue *sqlstore.Queue[*sql.Tx] // for webhook deliveries (EnqueueDeliveries)
}

func jsonList(vs []string) string {
	b, _ := json.Marshal(vs)
	return string(b)
}

// FindContacts implements store.Tx. Each key list is passed as one JSON
// parameter and unnested with json_each, so a batch needs one statement
// whatever its size and never meets SQLite's bound-parameter limit. The key
// kinds are combined with UNION, not OR: SQLite's planner answers an OR of
// IN-subqueries with a scan of the tenant's rows, but each arm of a UNION
// with its own index (measured: 3.5k rows/s and falling with OR on a
// growing table, flat with UNION).
func (t *tx) FindContacts(ctx context.Context, l store.Lookup) ([]intake.Contact, error) {
	var arms []string
	var args []any
	add := func(expr string, vs []string, extra ...any) {
		if len(vs) == 0 {
			return
		}
		arms = append(arms, `SELECT id FROM contacts WHERE tenant_id = ? AND `+expr+` IN (SELECT value FROM json_each(?))`)
		args = append(args, t.TenantID)
		args = append(args, extra...)
		args = append(args, jsonList(vs))
	}
	add(`email`, l.Emails)
	add(`customer_number`, l.CustomerNumbers)
	add(`external_id`, l.ExternalIDs)
	add(`phone`, l.Phones)
	add(`intake_lower(name)`, l.Names)
	for name, vs := range l.Custom {
		add(`json_extract(custom, ?)`, vs, jsonPath(name))
	}
	if len(l.IDs) > 0 {
		ids, _ := json.Marshal(l.IDs)
		arms = append(arms, `SELECT id FROM contacts WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`)
		args = append(args, t.TenantID, string(ids))
	}
	if len(arms) == 0 {
		return nil, nil
	}
	// The outer query filters on id alone (every arm is tenant-scoped): with
	// tenant_id there too, SQLite walks the tenant's index instead of
	// looking the ids up.
	out, err := sqlstore.QueryContacts(ctx, adapter{t.tx}, `SELECT `+contactCols+` FROM contacts WHERE id IN (`+strings.Join(arms, " UNION ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find contacts: %w", err)
	}
	return out, nil
}

// jsonPath is the SQLite JSON path of a custom field name, quoted so that
// any name is safe.
func jsonPath(name string) string { return "$." + strconv.Quote(name) }

// Contact statements, built once from the registry's columns
// (sqlstore.ContactColumns).
var (
	insertContact = `INSERT INTO contacts (tenant_id, created_at, updated_at, ` + strings.Join(sqlstore.ContactColumnNames(), ", ") +
		`) VALUES (?` + strings.Repeat(", ?", 2+len(sqlstore.ContactColumns)) + `)`
	updateContact = `UPDATE contacts SET updated_at = ?, ` + strings.Join(sqlstore.ContactColumnNames(), " = ?, ") +
		` = ? WHERE tenant_id = ? AND id = ?`
)

// InsertContacts implements store.Tx with one prepared statement run per
// contact: in-process SQLite has no round trip to save, and this is as fast
// as multi-row VALUES while giving each row's id.
func (t *tx) InsertContacts(ctx context.Context, cs []*intake.Contact) error {
	stmt, err := t.tx.PrepareContext(ctx, insertContact)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer stmt.Close()
	now := micros(t.Now)
	for _, c := range cs {
		res, err := stmt.ExecContext(ctx, append([]any{t.TenantID, now, now}, sqlstore.ContactValues(c)...)...)
		if err != nil {
			return conflict(err, c)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
		c.CreatedAt, c.UpdatedAt = t.Now, t.Now
	}
	return t.writeMemberships(ctx, cs, true)
}

// UpdateContacts implements store.Tx.
func (t *tx) UpdateContacts(ctx context.Context, cs []*intake.Contact) error {
	stmt, err := t.tx.PrepareContext(ctx, updateContact)
	if err != nil {
		return fmt.Errorf("prepare update: %w", err)
	}
	defer stmt.Close()
	now := micros(t.Now)
	for _, c := range cs {
		args := append(append([]any{now}, sqlstore.ContactValues(c)...), t.TenantID, c.ID)
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return conflict(err, c)
		}
		c.UpdatedAt = t.Now
	}
	return t.writeMemberships(ctx, cs, false)
}

// conflict names the unique field a failed write collided on: SQLite's
// message names the index's columns ("… failed: contacts.tenant_id, contacts.email").
func conflict(err error, c *intake.Contact) error {
	msg := err.Error()
	if !strings.Contains(msg, "UNIQUE constraint failed") {
		return fmt.Errorf("write contact: %w", err)
	}
	switch {
	case strings.Contains(msg, "contacts.email"):
		return intake.Errorf(intake.ECONFLICT, "A contact with email %q already exists.", c.Email)
	case strings.Contains(msg, "contacts.customer_number"):
		return intake.Errorf(intake.ECONFLICT, "A contact with customer number %q already exists.", c.CustomerNumber)
	case strings.Contains(msg, "contacts.external_id"):
		return intake.Errorf(intake.ECONFLICT, "A contact with external id %q already exists.", c.ExternalID)
	}
	return intake.Errorf(intake.ECONFLICT, "A contact with email %q or customer number %q already exists.", c.Email, c.CustomerNumber)
}

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure:
// the one place that reads SQLite's message for it.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
