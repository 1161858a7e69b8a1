package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
)

const bulkCols = `id, tenant_id, key_id, resource, mode, event_key, rejected, total, created, updated, deleted,
	skipped, failed, contacts_created, created_at, updated_at`

func scanBulk(s pgx.Row) (intake.BulkImport, error) {
	var b intake.BulkImport
	var mode string
	err := s.Scan(&b.ID, &b.TenantID, &b.KeyID, &b.Resource, &mode, &b.EventKey, &b.Rejected, &b.Total, &b.Created,
		&b.Updated, &b.Deleted, &b.Skipped, &b.Failed, &b.ContactsCreated, &b.CreatedAt, &b.UpdatedAt)
	b.Mode = intake.Mode(mode)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return b, err
}

// RecordBulkImport implements store.BulkImports.
func (db *DB) RecordBulkImport(ctx context.Context, b *intake.BulkImport) error {
	now := db.timestamp()
	err := db.pool.QueryRow(ctx, `INSERT INTO bulk_imports (tenant_id, key_id, resource, mode, event_key, rejected,
		total, created, updated, deleted, skipped, failed, contacts_created, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		b.TenantID, b.KeyID, b.Resource, string(b.Mode), b.EventKey, b.Rejected, b.Total, b.Created, b.Updated, b.Deleted,
		b.Skipped, b.Failed, b.ContactsCreated, now).Scan(&b.ID)
	if err != nil {
		return fmt.Errorf("record bulk import: %w", err)
	}
	b.CreatedAt, b.UpdatedAt = now, now
	return nil
}

// ListBulkImports implements store.BulkImports.
func (db *DB) ListBulkImports(ctx context.Context, tenantID, before int64, limit int) ([]intake.BulkImport, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.pool.Query(ctx, `SELECT `+bulkCols+` FROM bulk_imports WHERE tenant_id = $1 AND id < $2
		ORDER BY id DESC LIMIT $3`, tenantID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list bulk imports: %w", err)
	}
	defer rows.Close()
	var out []intake.BulkImport
	for rows.Next() {
		b, err := scanBulk(rows)
		if err != nil {
			return nil, fmt.Errorf("list bulk imports: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// GetBulkImport implements store.BulkImports.
func (db *DB) GetBulkImport(ctx context.Context, tenantID, id int64) (intake.BulkImport, error) {
	b, err := scanBulk(db.pool.QueryRow(ctx, `SELECT `+bulkCols+` FROM bulk_imports WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return b, intake.Errorf(intake.ENOTFOUND, "Bulk import %d not found.", id)
	}
	if err != nil {
		return b, fmt.Errorf("get bulk import %d: %w", id, err)
	}
	return b, nil
}
