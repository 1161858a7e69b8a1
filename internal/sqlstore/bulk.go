package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/intake/intake"
)

const bulkCols = `id, tenant_id, key_id, resource, mode, event_key, rejected, total, created, updated, deleted,
	skipped, failed, contacts_created, created_at, updated_at`

func scanBulk(s Row) (intake.BulkImport, error) {
	var b intake.BulkImport
	var mode string
	err := s.Scan(&b.ID, &b.TenantID, &b.KeyID, &b.Resource, &mode, &b.EventKey, &b.Rejected, &b.Total, &b.Created,
		&b.Updated, &b.Deleted, &b.Skipped, &b.Failed, &b.ContactsCreated, Time(&b.CreatedAt), Time(&b.UpdatedAt))
	b.Mode = intake.Mode(mode)
	return b, err
}

// RecordBulkImport implements store.BulkImports.
func (db *DB) RecordBulkImport(ctx context.Context, b *intake.BulkImport) error {
	now := db.Clock()
	err := db.Writer.QueryRow(ctx, `INSERT INTO bulk_imports (tenant_id, key_id, resource, mode, event_key, rejected,
		total, created, updated, deleted, skipped, failed, contacts_created, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		b.TenantID, b.KeyID, b.Resource, string(b.Mode), b.EventKey, b.Rejected, b.Total, b.Created, b.Updated, b.Deleted,
		b.Skipped, b.Failed, b.ContactsCreated, db.Dialect.Time(now)).Scan(&b.ID)
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
	rows, err := db.Reader.Query(ctx, `SELECT `+bulkCols+` FROM bulk_imports WHERE tenant_id = $1 AND id < $2
		ORDER BY id DESC LIMIT $3`, tenantID, before, limit)
	out, err := collect(rows, err, scanBulk)
	if err != nil {
		return nil, fmt.Errorf("list bulk imports: %w", err)
	}
	return out, nil
}

// GetBulkImport implements store.BulkImports.
func (db *DB) GetBulkImport(ctx context.Context, tenantID, id int64) (intake.BulkImport, error) {
	b, err := scanBulk(db.Reader.QueryRow(ctx, `SELECT `+bulkCols+` FROM bulk_imports WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, intake.Errorf(intake.ENOTFOUND, "Bulk import %d not found.", id)
	}
	if err != nil {
		return b, fmt.Errorf("get bulk import %d: %w", id, err)
	}
	return b, nil
}
