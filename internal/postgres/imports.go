package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const importCols = `id, tenant_id, name, resource, status, file_name, file_key, file_size, format, delimiter, encoding,
	sheet, region, options::text, headers::text, total_rows, processed_rows, created, updated, deleted, skipped,
	failed_rows, warnings::text, error, created_at, updated_at, started_at, finished_at, contacts_created, partial_rows,
	errors_stored, errors_omitted, expired_at`

func scanImport(row pgx.Row) (intake.Import, error) {
	var im intake.Import
	var j store.ImportJSON
	var status string
	err := row.Scan(&im.ID, &im.TenantID, &im.Name, &im.Spec.Resource, &status, &im.FileName, &im.FileKey, &im.FileSize,
		&im.Format, &im.Delimiter, &im.Encoding, &im.Sheet, &im.Spec.Region, &j.Options, &j.Headers, &im.TotalRows,
		&im.ProcessedRows, &im.Created, &im.Updated, &im.Deleted, &im.Skipped, &im.FailedRows, &j.Warnings,
		&im.Error, &im.CreatedAt, &im.UpdatedAt, &im.StartedAt, &im.FinishedAt, &im.ContactsCreated, &im.PartialRows,
		&im.ErrorsStored, &im.ErrorsOmitted, &im.ExpiredAt)
	if err != nil {
		return im, err
	}
	im.Status = intake.ImportStatus(status)
	im.CreatedAt, im.UpdatedAt = im.CreatedAt.UTC(), im.UpdatedAt.UTC()
	if im.ExpiredAt != nil {
		t := im.ExpiredAt.UTC()
		im.ExpiredAt, im.ReportExpired = &t, true
	}
	return im, store.DecodeImport(&im, j)
}

// Jobs implements store.Store. It takes no advisory lock: job rows are
// guarded by their own row locks (see jobTx.UpdateImport), so job
// bookkeeping never waits for an import holding the tenant's write lock.
func (db *DB) Jobs(ctx context.Context, tenantID int64, fn func(store.JobTx) error) error {
	pgTx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	if err := fn(&jobTx{tx: pgTx, tenantID: tenantID, now: db.timestamp}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// jobTx implements store.JobTx.
type jobTx struct {
	tx       pgx.Tx
	tenantID int64
	now      func() time.Time
}

// Driver implements store.JobTx.
func (t *jobTx) Driver() any { return t.tx }

// CreateImport implements store.JobTx.
func (t *jobTx) CreateImport(ctx context.Context, im *intake.Import) error {
	if im.TenantID != t.tenantID {
		return fmt.Errorf("create import: tenant %d in a transaction of tenant %d", im.TenantID, t.tenantID)
	}
	now := t.now()
	j := store.EncodeImport(im)
	err := t.tx.QueryRow(ctx, `INSERT INTO imports (tenant_id, name, resource, status, file_name, file_key,
		file_size, format, delimiter, encoding, sheet, region, options, headers, total_rows, warnings, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`,
		im.TenantID, im.Name, im.Spec.Resource, string(im.Status), im.FileName, im.FileKey, im.FileSize, im.Format,
		im.Delimiter, im.Encoding, im.Sheet, im.Spec.Region, j.Options, j.Headers, im.TotalRows, j.Warnings, now).Scan(&im.ID)
	if err != nil {
		return fmt.Errorf("create import: %w", err)
	}
	im.CreatedAt, im.UpdatedAt = now, now
	return nil
}

type rowQueryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func getImport(ctx context.Context, q rowQueryer, tenantID, id int64, lock bool) (intake.Import, error) {
	sql := `SELECT ` + importCols + ` FROM imports WHERE tenant_id = $1 AND id = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	im, err := scanImport(q.QueryRow(ctx, sql, tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return im, intake.Errorf(intake.ENOTFOUND, "Import %d not found.", id)
	}
	if err != nil {
		return im, fmt.Errorf("get import %d: %w", id, err)
	}
	return im, nil
}

// GetImport implements store.Store.
func (db *DB) GetImport(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	return getImport(ctx, db.pool, tenantID, id, false)
}

// ListImports implements store.Store.
func (db *DB) ListImports(ctx context.Context, tenantID int64, before int64, limit int) ([]intake.Import, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.pool.Query(ctx, `SELECT `+importCols+` FROM imports WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
		tenantID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []intake.Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("list imports: %w", err)
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// UpdateImport implements store.JobTx. SELECT … FOR UPDATE serialises
// concurrent changes (a cancel racing a start) on the job's row.
func (t *jobTx) UpdateImport(ctx context.Context, id int64, fn func(*intake.Import) error) (intake.Import, error) {
	im, err := getImport(ctx, t.tx, t.tenantID, id, true)
	if err != nil {
		return im, err
	}
	if err := fn(&im); err != nil {
		return im, err
	}
	im.UpdatedAt = t.now()
	j := store.EncodeImport(&im)
	_, err = t.tx.Exec(ctx, `UPDATE imports SET name = $1, status = $2, format = $3, delimiter = $4, encoding = $5,
		sheet = $6, region = $7, options = $8, headers = $9, total_rows = $10, processed_rows = $11, created = $12,
		updated = $13, deleted = $14, skipped = $15, failed_rows = $16, warnings = $17, error = $18, updated_at = $19,
		started_at = $20, finished_at = $21, contacts_created = $24, partial_rows = $25 WHERE tenant_id = $22 AND id = $23`,
		im.Name, string(im.Status), im.Format, im.Delimiter, im.Encoding, im.Sheet, im.Spec.Region, j.Options, j.Headers,
		im.TotalRows, im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped, im.FailedRows, j.Warnings,
		im.Error, im.UpdatedAt, truncPtr(im.StartedAt), truncPtr(im.FinishedAt), t.tenantID, id, im.ContactsCreated, im.PartialRows)
	if err != nil {
		return im, fmt.Errorf("update import %d: %w", id, err)
	}
	return im, nil
}

func truncPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}

// ListImportErrors implements store.Store.
func (db *DB) ListImportErrors(ctx context.Context, tenantID, importID int64, afterRow, limit int) ([]intake.RowError, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.row, e.column_name, e.field, e.value, e.code, e.message, e.outcome, e.row_values::text
		FROM import_row_errors e JOIN imports i ON i.id = e.import_id
		WHERE i.tenant_id = $1 AND e.import_id = $2 AND e.row > $3 ORDER BY e.row LIMIT $4`, tenantID, importID, afterRow, limit)
	if err != nil {
		return nil, fmt.Errorf("list import errors: %w", err)
	}
	defer rows.Close()
	var out []intake.RowError
	for rows.Next() {
		var e intake.RowError
		var outcome, values string
		if err := rows.Scan(&e.Row, &e.Column, &e.Field, &e.Value, &e.Code, &e.Message, &outcome, &values); err != nil {
			return nil, fmt.Errorf("list import errors: %w", err)
		}
		e.Outcome, e.Values = intake.Outcome(outcome), store.DecodeValues(values)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SaveImportProgress implements store.Tx. Row errors go in with COPY: a
// messy file can have thousands per chunk.
func (t *tx) SaveImportProgress(ctx context.Context, im *intake.Import, from int, errs []intake.RowError) error {
	tag, err := t.tx.Exec(ctx, `UPDATE imports SET total_rows = $1, processed_rows = $2, created = $3, updated = $4,
		deleted = $5, skipped = $6, failed_rows = $7, updated_at = $8, contacts_created = $12, partial_rows = $13,
		errors_stored = $14, errors_omitted = $15
		WHERE tenant_id = $9 AND id = $10 AND status = 'running' AND processed_rows = $11`,
		im.TotalRows, im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped, im.FailedRows, t.now,
		t.tenantID, im.ID, from, im.ContactsCreated, im.PartialRows, im.ErrorsStored, im.ErrorsOmitted)
	if err != nil {
		return fmt.Errorf("save import progress: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return intake.Errorf(intake.ESTATE, "Import %d is no longer running from row %d.", im.ID, from)
	}
	if len(errs) == 0 {
		return nil
	}
	_, err = t.tx.CopyFrom(ctx, pgx.Identifier{"import_row_errors"},
		[]string{"import_id", "row", "column_name", "field", "value", "code", "message", "outcome", "row_values"},
		pgx.CopyFromSlice(len(errs), func(i int) ([]any, error) {
			e := errs[i]
			return []any{im.ID, e.Row, e.Column, e.Field, e.Value, e.Code, e.Message, string(e.Outcome), store.EncodeValues(e.Values)}, nil
		}))
	if err != nil {
		return fmt.Errorf("save %d row errors: %w", len(errs), err)
	}
	return nil
}
