// Package postgres is the store on PostgreSQL (pgx v5, pgxpool): the store
// for many tenants and many concurrent imports. It owns its schema migrations,
// its SQL and the COPY bulk path; it knows nothing of HTTP or file formats.
//
// All tables live in the first schema of the connection's search_path, so a
// URL such as postgres://…?search_path=intake puts Intake (and goose's
// version table) in its own schema.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/sqlstore"
	"github.com/intake/intake/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock classes: the first key of the two-int4 form of PostgreSQL's
// advisory locks. A class of our own keeps Intake's locks apart from anyone
// else's on the same database (River, for one, uses the one-bigint form,
// which is a separate key space anyway).
const (
	// lockClassContacts guards one tenant's contact writes (see Write).
	lockClassContacts int32 = 0x494e5401 // "INT" 1
	// lockClassMigrate guards migrating one schema (see Migrate).
	lockClassMigrate int32 = 0x494e5402 // "INT" 2
)

// DB is the PostgreSQL store. It implements store.Store.
type DB struct {
	sqlstore.DB
	// queue is the job queue the store is paired with (Pair).
	queue sqlstore.Queue[pgx.Tx]
	pool  *pgxpool.Pool
	now   func() time.Time

	// Contacts inserted since the last ANALYZE and the table size then: see
	// analyzeIfGrown.
	statsMu     sync.Mutex
	inserted    int64
	analyzedAt  int64
	analyzeBusy bool
}

var _ store.Pairable[pgx.Tx] = (*DB)(nil)

// Open connects to the database at url (a libpq URL or DSN; runtime
// parameters such as search_path are kept for every connection), checks
// that it answers and migrates it.
func Open(ctx context.Context, url string) (*DB, error) {
	// The URL is never put in an error: it may hold a password.
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	db := &DB{pool: pool, now: time.Now}
	db.DB = sqlstore.DB{Reader: adapter{pool}, Writer: adapter{pool}, Dialect: dialect, Clock: db.timestamp, InTx: db.inTx}
	if err := db.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Migrate applies the embedded migrations to the first schema of the
// search_path. It holds a session advisory lock on that schema meanwhile, so
// two processes started together (two replicas, or `intake serve` beside
// `intake keys create`) migrate one after the other instead of racing on
// goose's version table. It needs two pool connections: one holds the lock,
// goose runs on another.
func (db *DB) Migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres migrate: %w", err)
	}
	defer conn.Release()
	const key = `coalesce(current_schema(), '')`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, hashtext(`+key+`))`, lockClassMigrate); err != nil {
		return fmt.Errorf("postgres migrate: lock: %w", err)
	}
	defer func() {
		ctx := context.WithoutCancel(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, hashtext(`+key+`))`, lockClassMigrate); err != nil {
			// A session lock outlives the statement: never hand a connection
			// that may still hold it back to the pool.
			conn.Conn().Close(ctx)
		}
	}()

	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close() // returns its connections to the pool; the pool stays open
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres migrate: %w", err)
	}
	return nil
}

// RiverDriver returns a River driver on the store's pool, so the job queue
// keeps its tables in this database (and schema), and can enqueue inside a
// Jobs transaction (whose Driver is the pgx.Tx this driver takes).
func (db *DB) RiverDriver() riverdriver.Driver[pgx.Tx] { return riverpgxv5.New(db.pool) }

// Close closes the pool, waiting for connections in use to be released.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// timestamp is now as PostgreSQL stores it: timestamptz keeps microseconds,
// so truncating here makes the value set on a contact equal the stored one.
func (db *DB) timestamp() time.Time {
	return db.now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in a transaction of its own (sqlstore.DB.InTx).
func (db *DB) inTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	pgTx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	if err := fn(adapter{pgTx}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// contactCols is what every contact SELECT returns (sqlstore.ScanContact).
var contactCols = dialect.ContactSelect()

// lockKey is the tenant's key in lockClassContacts. Advisory keys of the
// two-key form are int4, so ids beyond 2^31 wrap: two such tenants may then
// share a lock, which only serialises them, never lets a race through.
func lockKey(tenantID int64) int32 { return int32(tenantID) }

// Write implements store.Store.
//
// Its first statement takes a transaction-scoped advisory lock on the
// tenant. An import finds the batch's existing contacts and then inserts
// the absent ones; under READ COMMITTED two imports into one tenant could
// both find "absent" for one key, and the second would then fail its whole
// batch on the unique constraint (or, for keys without one, such as phone
// or name, store a duplicate). Holding the tenant's lock from before the
// find until commit makes find-then-write atomic per tenant, while other
// tenants' writes run in parallel. The lock is released by COMMIT or
// ROLLBACK, so a crashed importer cannot leave it behind.
func (db *DB) Write(ctx context.Context, tenantID int64, fn func(store.Tx) error) error {
	pgTx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	if _, err := pgTx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockClassContacts, lockKey(tenantID)); err != nil {
		return fmt.Errorf("lock tenant %d: %w", tenantID, err)
	}
	// A batch's lookups must probe the key indexes. A cached generic plan,
	// made while the table was small, instead walks all of the tenant's rows
	// and filters them: measured 2.5–3.5 s per 2000-row lookup at 200k
	// contacts (auto_explain), 10–60 ms with a plan made for the actual
	// arrays. Custom plans cost well under a millisecond of planning per
	// batch statement.
	if _, err := pgTx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("tune write transaction: %w", err)
	}
	t := &tx{Tx: sqlstore.Tx{Q: adapter{pgTx}, Dialect: dialect, TenantID: tenantID, Now: db.timestamp()}, tx: pgTx, queue: &db.queue}
	if err := fn(t); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.analyzeIfGrown(ctx, t.inserted)
	return nil
}

// analyzeIfGrown keeps the planner's statistics up with a table an import
// is filling. Autovacuum analyzes a table only after it has changed by 10 %
// and at its own pace (a million-row import finished before it looked once,
// seen here), and until then the planner estimates a table that was empty
// as empty. So the store runs ANALYZE itself each time the contacts it
// inserted reach the size at the last ANALYZE (at least 20,000): the
// statistics are never off by more than 2×, and a million-row import runs
// six ANALYZEs of ~250 ms (each a 30,000-row sample). A fifth instead of the
// whole size was measured: 13 ANALYZEs took 16 % of a 300k-row import.
func (db *DB) analyzeIfGrown(ctx context.Context, n int) {
	if n == 0 {
		return
	}
	db.statsMu.Lock()
	db.inserted += int64(n)
	due := !db.analyzeBusy && db.inserted >= max(20000, db.analyzedAt)
	if due {
		db.analyzeBusy = true
	}
	db.statsMu.Unlock()
	if !due {
		return
	}
	var size int64
	_, err := db.pool.Exec(ctx, `ANALYZE contacts`)
	if err == nil {
		err = db.pool.QueryRow(ctx, `SELECT reltuples::bigint FROM pg_class WHERE oid = 'contacts'::regclass`).Scan(&size)
	}
	db.statsMu.Lock()
	defer db.statsMu.Unlock()
	db.analyzeBusy = false
	if err == nil {
		db.inserted, db.analyzedAt = 0, size
	}
}

// tx implements store.Tx. After any of its methods fails, PostgreSQL has
// aborted the transaction: fn must return the error so Write rolls back.
type tx struct {
	sqlstore.Tx
	tx       pgx.Tx
	inserted int
	queue    *sqlstore.Queue[pgx.Tx] // for webhook deliveries (EnqueueDeliveries)
}

// FindContacts implements store.Tx in one statement: each key list is one
// array parameter (= ANY), so a batch of any size is one round trip, and the
// (tenant_id, email), (tenant_id, customer_number), (tenant_id, phone) and
// (tenant_id, lower(name)) indexes each answer their part. Custom fields
// have no index; they are filtered within the tenant's rows.
func (t *tx) FindContacts(ctx context.Context, l store.Lookup) ([]intake.Contact, error) {
	var conds []string
	args := []any{t.TenantID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	add := func(expr string, vs []string) {
		if len(vs) > 0 {
			conds = append(conds, expr+` = ANY(`+arg(vs)+`)`)
		}
	}
	add(`email`, l.Emails)
	add(`customer_number`, l.CustomerNumbers)
	add(`external_id`, l.ExternalIDs)
	add(`phone`, l.Phones)
	add(`lower(name)`, l.Names)
	// Sorted so the statement text, and so pgx's prepared statement, is the
	// same for the same set of fields.
	names := make([]string, 0, len(l.Custom))
	for name, vs := range l.Custom {
		if len(vs) > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		add(`custom->>`+arg(name)+`::text`, l.Custom[name])
	}
	if len(l.IDs) > 0 {
		conds = append(conds, `id = ANY(`+arg(l.IDs)+`)`)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	out, err := sqlstore.QueryContacts(ctx, t.Q, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = $1 AND (`+strings.Join(conds, " OR ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find contacts: %w", err)
	}
	return out, nil
}

// dataCols are the columns an import writes, from the registry.
var dataCols = sqlstore.ContactColumnNames()

// InsertContacts implements store.Tx with COPY straight into contacts:
// COPY is the fastest way into PostgreSQL, about 2.5× a multi-row INSERT
// and 5× a pipelined batch of single-row INSERTs on this workload (see
// /work/shared/bench/LIMITS.md), and it costs the importer a third of the
// CPU. COPY cannot return the ids it assigns, so they are reserved from the
// contacts id sequence first, in one statement, and copied in explicitly
// (the column is GENERATED BY DEFAULT for that reason).
func (t *tx) InsertContacts(ctx context.Context, cs []*intake.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	// pg_get_serial_sequence resolves 'contacts' through the search_path,
	// so the sequence is the one of the schema this store works in. The
	// MATERIALIZED CTE resolves it once: evaluated per row it costs 5× the
	// nextval calls themselves (~5 ms instead of ~1 ms per 1000 ids).
	rows, err := t.tx.Query(ctx, `WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('contacts', 'id')::regclass AS seq)
		SELECT nextval(s.seq) FROM s, generate_series(1, $1)`, len(cs))
	if err != nil {
		return fmt.Errorf("reserve contact ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("reserve contact ids: %w", err)
	}
	if len(ids) != len(cs) {
		return fmt.Errorf("reserve contact ids: got %d, want %d", len(ids), len(cs))
	}
	cols := append([]string{"id", "tenant_id"}, dataCols...)
	cols = append(cols, "created_at", "updated_at")
	_, err = t.tx.CopyFrom(ctx, pgx.Identifier{"contacts"}, cols, pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
		row := append([]any{ids[i], t.TenantID}, sqlstore.ContactValues(cs[i])...)
		return append(row, t.Now, t.Now), nil
	}))
	if err != nil {
		return writeError("insert contacts", err)
	}
	t.inserted += len(cs)
	for i, c := range cs {
		c.ID, c.CreatedAt, c.UpdatedAt = ids[i], t.Now, t.Now
	}
	return t.writeMemberships(ctx, cs, true)
}

// createStage creates the staging table UpdateContacts COPYs into (once
// per connection) and empties it. Its columns are the registry's
// (sqlstore.ContactColumns); a temporary table lives as long as its
// connection, within one process, so it never has an older shape.
var createStage = func() string {
	types := map[string]string{sqlstore.KindText: "text", sqlstore.KindJSON: "jsonb", sqlstore.KindBool: "boolean"}
	cols := []string{"id bigint"}
	for _, c := range sqlstore.ContactColumns {
		cols = append(cols, c.Name+" "+types[c.Kind])
	}
	return `CREATE TEMP TABLE IF NOT EXISTS contacts_stage (` + strings.Join(cols, ", ") + `) ON COMMIT DELETE ROWS;
		DELETE FROM pg_temp.contacts_stage`
}()

// UpdateContacts implements store.Tx by COPYing the new values into a
// temporary staging table and applying them with one UPDATE … FROM joined
// on id: two statements for the batch whatever its size, instead of one
// UPDATE per contact. The staging table belongs to the connection and is
// created once per connection; ON COMMIT DELETE ROWS empties it after each
// transaction, without the catalog churn of creating and dropping a table
// per batch. It lives in pg_temp, named explicitly, so it never collides
// with a table in the search_path.
func (t *tx) UpdateContacts(ctx context.Context, cs []*intake.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	// UPDATE … FROM applies one arbitrary staged row when an id is staged
	// twice; keep the last, as a contact-by-contact update would.
	last := make(map[int64]int, len(cs))
	for i, c := range cs {
		last[c.ID] = i
	}
	staged := cs
	if len(last) < len(cs) {
		staged = make([]*intake.Contact, 0, len(last))
		for i, c := range cs {
			if last[c.ID] == i {
				staged = append(staged, c)
			}
		}
	}
	// One simple-protocol round trip. The DELETE clears rows of an earlier
	// UpdateContacts in this same transaction.
	if _, err := t.tx.Exec(ctx, createStage); err != nil {
		return fmt.Errorf("stage contact updates: %w", err)
	}
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "contacts_stage"}, append([]string{"id"}, dataCols...),
		pgx.CopyFromSlice(len(staged), func(i int) ([]any, error) {
			return append([]any{staged[i].ID}, sqlstore.ContactValues(staged[i])...), nil
		}))
	if err != nil {
		return fmt.Errorf("stage contact updates: %w", err)
	}
	set := make([]string, len(dataCols))
	for i, col := range dataCols {
		set[i] = col + ` = s.` + col
	}
	if _, err := t.tx.Exec(ctx, `UPDATE contacts c SET `+strings.Join(set, ", ")+`, updated_at = $2
		FROM pg_temp.contacts_stage s WHERE c.tenant_id = $1 AND c.id = s.id`, t.TenantID, t.Now); err != nil {
		return writeError("update contacts", err)
	}
	for _, c := range cs {
		c.UpdatedAt = t.Now
	}
	return t.writeMemberships(ctx, cs, false)
}

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
