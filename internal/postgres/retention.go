package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/intake/intake"
)

// ExpiredImports implements store.Store.
func (db *DB) ExpiredImports(ctx context.Context, before time.Time, limit int) ([]intake.Import, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+importCols+` FROM imports
		WHERE expired_at IS NULL AND finished_at < $1 AND status IN ('completed', 'failed', 'cancelled')
		ORDER BY finished_at, id LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list expired imports: %w", err)
	}
	defer rows.Close()
	var out []intake.Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("list expired imports: %w", err)
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// ExpireImport implements store.Store.
func (db *DB) ExpireImport(ctx context.Context, tenantID, id int64) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	tag, err := tx.Exec(ctx, `UPDATE imports SET expired_at = $1 WHERE tenant_id = $2 AND id = $3`, db.timestamp(), tenantID, id)
	if err != nil {
		return fmt.Errorf("expire import %d: %w", id, err)
	}
	if tag.RowsAffected() != 1 {
		return intake.Errorf(intake.ENOTFOUND, "Import %d not found.", id)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM import_row_errors WHERE import_id = $1`, id); err != nil {
		return fmt.Errorf("expire import %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
