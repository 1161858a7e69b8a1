package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/intake/intake"
)

// ExpiredImports implements store.Store.
func (db *DB) ExpiredImports(ctx context.Context, before time.Time, limit int) ([]intake.Import, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+importCols+` FROM imports
		WHERE expired_at IS NULL AND finished_at < ? AND status IN ('completed', 'failed', 'cancelled')
		ORDER BY finished_at, id LIMIT ?`, micros(before.UTC()), limit)
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
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE imports SET expired_at = ? WHERE tenant_id = ? AND id = ?`, micros(db.now().UTC()), tenantID, id)
	if err != nil {
		return fmt.Errorf("expire import %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return intake.Errorf(intake.ENOTFOUND, "Import %d not found.", id)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM import_row_errors WHERE import_id = ?`, id); err != nil {
		return fmt.Errorf("expire import %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
