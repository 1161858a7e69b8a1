package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/intake/intake"
)

const bulkCols = `id, tenant_id, key_id, resource, mode, event_key, rejected, total, created, updated, deleted,
	skipped, failed, contacts_created, created_at, updated_at`

func scanBulk(s scanner) (intake.BulkImport, error) {
	var b intake.BulkImport
	var mode string
	var created, updated int64
	err := s.Scan(&b.ID, &b.TenantID, &b.KeyID, &b.Resource, &mode, &b.EventKey, &b.Rejected, &b.Total, &b.Created,
		&b.Updated, &b.Deleted, &b.Skipped, &b.Failed, &b.ContactsCreated, &created, &updated)
	b.Mode = intake.Mode(mode)
	b.CreatedAt, b.UpdatedAt = fromMicros(created), fromMicros(updated)
	return b, err
}

// RecordBulkImport implements store.BulkImports.
func (db *DB) RecordBulkImport(ctx context.Context, b *intake.BulkImport) error {
	now := micros(db.now())
	err := db.write.QueryRowContext(ctx, `INSERT INTO bulk_imports (tenant_id, key_id, resource, mode, event_key, rejected,
		total, created, updated, deleted, skipped, failed, contacts_created, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		b.TenantID, b.KeyID, b.Resource, string(b.Mode), b.EventKey, b.Rejected, b.Total, b.Created, b.Updated, b.Deleted,
		b.Skipped, b.Failed, b.ContactsCreated, now, now).Scan(&b.ID)
	if err != nil {
		return fmt.Errorf("record bulk import: %w", err)
	}
	b.CreatedAt, b.UpdatedAt = fromMicros(now), fromMicros(now)
	return nil
}

// ListBulkImports implements store.BulkImports.
func (db *DB) ListBulkImports(ctx context.Context, tenantID, before int64, limit int) ([]intake.BulkImport, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+bulkCols+` FROM bulk_imports WHERE tenant_id = ? AND id < ?
		ORDER BY id DESC LIMIT ?`, tenantID, before, limit)
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
	b, err := scanBulk(db.read.QueryRowContext(ctx, `SELECT `+bulkCols+` FROM bulk_imports WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, intake.Errorf(intake.ENOTFOUND, "Bulk import %d not found.", id)
	}
	if err != nil {
		return b, fmt.Errorf("get bulk import %d: %w", id, err)
	}
	return b, nil
}
