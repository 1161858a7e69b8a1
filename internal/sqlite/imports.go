package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/intake/intake/internal/sqlstore"
	"github.com/intake/intake/internal/store"
)

// Jobs implements store.Store. The transaction goes through the
// one-connection write pool with BEGIN IMMEDIATE, like every write, so the
// store and River (which shares that pool, see RiverDriver) take turns
// instead of meeting SQLITE_BUSY. fn must therefore not write through
// another pool's transaction or River's non-Tx methods: they would wait for
// this one's connection.
func (db *DB) Jobs(ctx context.Context, tenantID int64, fn func(store.JobTx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	if err := fn(&jobTx{Tx: sqlstore.Tx{Q: adapter{sqlTx}, Dialect: dialect, TenantID: tenantID, Now: db.timestamp()}, tx: sqlTx, queue: &db.queue}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// jobTx implements store.JobTx.
type jobTx struct {
	sqlstore.Tx
	tx    *sql.Tx
	queue *sqlstore.Queue[*sql.Tx]
}

// Enqueue implements store.JobTx through the queue the store is paired with.
func (t *jobTx) Enqueue(ctx context.Context, importID int64) error {
	return t.queue.Enqueue(ctx, t.tx, t.TenantID, importID, 0)
}

// EnqueuePass implements store.JobTx.
func (t *jobTx) EnqueuePass(ctx context.Context, importID int64, pass int) error {
	return t.queue.Enqueue(ctx, t.tx, t.TenantID, importID, pass)
}

// Pair implements store.Pairable: Jobs transactions enqueue through q,
// which takes their *sql.Tx (River's SQLite driver on the write pool).
func (db *DB) Pair(q store.Enqueuer[*sql.Tx]) { db.queue.Pair(q) }
