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
	read  *sql.DB
	write *sql.DB
	now   func() time.Time
}

var _ store.Store = (*DB)(nil)

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

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// EnsureTenant implements store.Store.
func (db *DB) EnsureTenant(ctx context.Context, slug string) (intake.Tenant, error) {
	t := intake.Tenant{Slug: slug}
	var created int64
	err := db.write.QueryRowContext(ctx,
		`INSERT INTO tenants (slug, created_at) VALUES (?, ?)
		 ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug
		 RETURNING id, created_at`, slug, micros(db.now())).Scan(&t.ID, &created)
	if err != nil {
		return t, fmt.Errorf("ensure tenant %q: %w", slug, err)
	}
	t.CreatedAt = fromMicros(created)
	return t, nil
}

// CreateAPIKey implements store.Store.
func (db *DB) CreateAPIKey(ctx context.Context, tenantID int64, hash string, scopes []string) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO api_keys (tenant_id, hash, scopes, created_at) VALUES (?, ?, ?, ?)`,
		tenantID, hash, strings.Join(scopes, ","), micros(db.now()))
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

// Authenticate implements store.Store.
func (db *DB) Authenticate(ctx context.Context, hash string) (intake.Principal, error) {
	var p intake.Principal
	var scopes string
	var created int64
	err := db.read.QueryRowContext(ctx,
		`SELECT t.id, t.slug, t.created_at, k.scopes, k.id FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
		 WHERE k.hash = ? AND k.revoked_at IS NULL`, // no cache: a revoked key fails from the next request on
		hash).Scan(&p.Tenant.ID, &p.Tenant.Slug, &created, &scopes, &p.KeyID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, intake.Errorf(intake.EUNAUTHORIZED, "The API key is not valid.")
	}
	if err != nil {
		return p, fmt.Errorf("authenticate: %w", err)
	}
	p.Tenant.CreatedAt = fromMicros(created)
	p.Scopes = strings.Split(scopes, ",")
	return p, nil
}

const contactCols = `id, email, customer_number, first_name, last_name, name, phone, company, address, city,
	postal_code, country, notes, tags, custom, alternates, created_at, updated_at, external_id, state, ` + memberCols

type scanner interface{ Scan(...any) error }

func scanContact(s scanner) (intake.Contact, error) {
	var c intake.Contact
	var email, cust, ext sql.NullString
	var tags, custom, alts, altNames, groups, locations string
	var created, updated int64
	err := s.Scan(&c.ID, &email, &cust, &c.FirstName, &c.LastName, &c.Name, &c.Phone, &c.Company,
		&c.Address, &c.City, &c.PostalCode, &c.Country, &c.Notes, &tags, &custom, &alts, &created, &updated,
		&ext, &c.State, &altNames, &c.IsPrimary, &groups, &locations)
	if err != nil {
		return c, err
	}
	if err := store.DecodeNames(&c, altNames, groups, locations); err != nil {
		return c, fmt.Errorf("contact %d: %w", c.ID, err)
	}
	c.Email, c.CustomerNumber, c.ExternalID = email.String, cust.String, ext.String
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := store.DecodeJSONColumns(&c, tags, custom, alts); err != nil {
		return c, fmt.Errorf("contact %d: %w", c.ID, err)
	}
	return c, nil
}

// GetContact implements store.Store.
func (db *DB) GetContact(ctx context.Context, tenantID, id int64) (intake.Contact, error) {
	c, err := scanContact(db.read.QueryRowContext(ctx,
		`SELECT `+contactCols+` FROM contacts WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, intake.Errorf(intake.ENOTFOUND, "Contact %d not found.", id)
	}
	if err != nil {
		return c, fmt.Errorf("get contact %d: %w", id, err)
	}
	c.Events, err = contactEvents(ctx, db.read, tenantID, id)
	return c, err
}

// ListContacts implements store.Store.
func (db *DB) ListContacts(ctx context.Context, tenantID int64, f store.ContactFilter) ([]intake.Contact, error) {
	conds, extra := contactFilters(tenantID, f)
	q := `SELECT ` + contactCols + ` FROM contacts WHERE tenant_id = ? AND id > ?` + conds
	args := append([]any{tenantID, f.After}, extra...)
	q += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	var out []intake.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Write implements store.Store. SQLite has a single writer, so the tenant
// lock is the database's own write lock, taken by BEGIN IMMEDIATE.
func (db *DB) Write(ctx context.Context, tenantID int64, fn func(store.Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	if err := fn(&tx{tx: sqlTx, tenantID: tenantID, now: db.now().UTC()}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type tx struct {
	tx       *sql.Tx
	tenantID int64
	now      time.Time
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
		args = append(args, t.tenantID)
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
		args = append(args, t.tenantID, string(ids))
	}
	if len(arms) == 0 {
		return nil, nil
	}
	// The outer query filters on id alone (every arm is tenant-scoped): with
	// tenant_id there too, SQLite walks the tenant's index instead of
	// looking the ids up.
	rows, err := t.tx.QueryContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE id IN (`+strings.Join(arms, " UNION ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find contacts: %w", err)
	}
	defer rows.Close()
	var out []intake.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("find contacts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// jsonPath is the SQLite JSON path of a custom field name, quoted so that
// any name is safe.
func jsonPath(name string) string { return "$." + strconv.Quote(name) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// InsertContacts implements store.Tx with one prepared statement run per
// contact: in-process SQLite has no round trip to save, and this is as fast
// as multi-row VALUES while giving each row's id.
func (t *tx) InsertContacts(ctx context.Context, cs []*intake.Contact) error {
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO contacts (tenant_id, email, customer_number, first_name, last_name,
		name, phone, company, address, city, postal_code, country, notes, tags, custom, alternates, created_at, updated_at,
		alternate_names, is_primary, external_id, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer stmt.Close()
	now := micros(t.now)
	for _, c := range cs {
		tags, custom, alts := store.EncodeJSONColumns(c)
		res, err := stmt.ExecContext(ctx, t.tenantID, nullable(c.Email), nullable(c.CustomerNumber), c.FirstName, c.LastName,
			c.Name, c.Phone, c.Company, c.Address, c.City, c.PostalCode, c.Country, c.Notes, tags, custom, alts, now, now,
			store.EncodeAlternateNames(c), c.IsPrimary, nullable(c.ExternalID), c.State)
		if err != nil {
			return conflict(err, c)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
		c.CreatedAt, c.UpdatedAt = t.now, t.now
	}
	return t.writeMemberships(ctx, cs, true)
}

// UpdateContacts implements store.Tx.
func (t *tx) UpdateContacts(ctx context.Context, cs []*intake.Contact) error {
	stmt, err := t.tx.PrepareContext(ctx, `UPDATE contacts SET email = ?, customer_number = ?, first_name = ?, last_name = ?,
		name = ?, phone = ?, company = ?, address = ?, city = ?, postal_code = ?, country = ?, notes = ?, tags = ?,
		custom = ?, alternates = ?, updated_at = ?, alternate_names = ?, is_primary = ?, external_id = ?, state = ?
		WHERE tenant_id = ? AND id = ?`)
	if err != nil {
		return fmt.Errorf("prepare update: %w", err)
	}
	defer stmt.Close()
	now := micros(t.now)
	for _, c := range cs {
		tags, custom, alts := store.EncodeJSONColumns(c)
		if _, err := stmt.ExecContext(ctx, nullable(c.Email), nullable(c.CustomerNumber), c.FirstName, c.LastName,
			c.Name, c.Phone, c.Company, c.Address, c.City, c.PostalCode, c.Country, c.Notes, tags, custom, alts, now,
			store.EncodeAlternateNames(c), c.IsPrimary, nullable(c.ExternalID), c.State, t.tenantID, c.ID); err != nil {
			return conflict(err, c)
		}
		c.UpdatedAt = t.now
	}
	return t.writeMemberships(ctx, cs, false)
}

// DeleteContacts implements store.Tx.
func (t *tx) DeleteContacts(ctx context.Context, ids []int64) error {
	_, err := t.deleteIDs(ctx, "contacts", ids)
	return err
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

// Savepoint implements store.Tx.
func (t *tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := t.tx.ExecContext(ctx, `SAVEPOINT intake_sp`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT intake_sp`); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
		t.tx.ExecContext(ctx, `RELEASE SAVEPOINT intake_sp`)
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT intake_sp`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure:
// the one place that reads SQLite's message for it.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
