package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/sqlstore"
	"github.com/intake/intake/internal/store"
)

// Jobs implements store.Store. It takes no advisory lock: job rows are
// guarded by their own row locks (see jobTx.UpdateImport), so job
// bookkeeping never waits for an import holding the tenant's write lock.
func (db *DB) Jobs(ctx context.Context, tenantID int64, fn func(store.JobTx) error) error {
	pgTx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	if err := fn(&jobTx{Tx: sqlstore.Tx{Q: adapter{pgTx}, Dialect: dialect, TenantID: tenantID, Now: db.timestamp()}, tx: pgTx, queue: &db.queue}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// jobTx implements store.JobTx.
type jobTx struct {
	sqlstore.Tx
	tx    pgx.Tx
	queue *sqlstore.Queue[pgx.Tx]
}

// Enqueue implements store.JobTx through the queue the store is paired with.
func (t *jobTx) Enqueue(ctx context.Context, importID int64) error {
	return t.queue.Enqueue(ctx, t.tx, t.TenantID, importID, 0)
}

// EnqueuePass implements store.JobTx.
func (t *jobTx) EnqueuePass(ctx context.Context, importID int64, pass int) error {
	return t.queue.Enqueue(ctx, t.tx, t.TenantID, importID, pass)
}

// SaveImportProgress implements store.Tx. Row errors go in with COPY: a
// messy file can have thousands per chunk.
func (t *tx) SaveImportProgress(ctx context.Context, im *intake.Import, from int, errs []intake.RowError) error {
	if err := t.SaveCheckpoint(ctx, im, from); err != nil {
		return err
	}
	if len(errs) == 0 {
		return nil
	}
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"import_row_errors"},
		[]string{"import_id", "row", "column_name", "field", "value", "code", "message", "outcome", "row_values", "contact_id"},
		pgx.CopyFromSlice(len(errs), func(i int) ([]any, error) {
			e := errs[i]
			return []any{im.ID, e.Row, e.Column, e.Field, e.Value, e.Code, e.Message, string(e.Outcome), store.EncodeValues(e.Values), e.ContactID}, nil
		}))
	if err != nil {
		return fmt.Errorf("save %d row errors: %w", len(errs), err)
	}
	return nil
}

// Pair implements store.Pairable: Jobs transactions enqueue through q,
// which takes their pgx.Tx (River's pgx driver on the pool).
func (db *DB) Pair(q store.Enqueuer[pgx.Tx]) { db.queue.Pair(q) }
