package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// importCols is what every import SELECT returns, in scanImport's order.
const importCols = `id, tenant_id, name, resource, status, file_name, file_key, file_size, format, delimiter, encoding,
	sheet, region, options, headers, total_rows, processed_rows, created, updated, deleted, skipped, failed_rows,
	warnings, error, created_at, updated_at, started_at, finished_at, contacts_created, partial_rows, errors_stored,
	errors_omitted, expired_at`

func scanImport(s Row) (intake.Import, error) {
	var im intake.Import
	var j store.ImportJSON
	var status string
	err := s.Scan(&im.ID, &im.TenantID, &im.Name, &im.Spec.Resource, &status, &im.FileName, &im.FileKey, &im.FileSize,
		&im.Format, &im.Delimiter, &im.Encoding, &im.Sheet, &im.Spec.Region, &j.Options, &j.Headers, &im.TotalRows,
		&im.ProcessedRows, &im.Created, &im.Updated, &im.Deleted, &im.Skipped, &im.FailedRows, &j.Warnings,
		&im.Error, Time(&im.CreatedAt), Time(&im.UpdatedAt), NullTime(&im.StartedAt), NullTime(&im.FinishedAt),
		&im.ContactsCreated, &im.PartialRows, &im.ErrorsStored, &im.ErrorsOmitted, NullTime(&im.ExpiredAt))
	if err != nil {
		return im, err
	}
	im.Status = intake.ImportStatus(status)
	im.ReportExpired = im.ExpiredAt != nil
	return im, store.DecodeImport(&im, j)
}

// CreateImport implements store.JobTx.
func (t *Tx) CreateImport(ctx context.Context, im *intake.Import) error {
	if im.TenantID != t.TenantID {
		return fmt.Errorf("create import: tenant %d in a transaction of tenant %d", im.TenantID, t.TenantID)
	}
	j := store.EncodeImport(im)
	err := t.Q.QueryRow(ctx, `INSERT INTO imports (tenant_id, name, resource, status, file_name, file_key,
		file_size, format, delimiter, encoding, sheet, region, options, headers, total_rows, warnings, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`,
		im.TenantID, im.Name, im.Spec.Resource, string(im.Status), im.FileName, im.FileKey, im.FileSize, im.Format,
		im.Delimiter, im.Encoding, im.Sheet, im.Spec.Region, j.Options, j.Headers, im.TotalRows, j.Warnings, t.now()).Scan(&im.ID)
	if err != nil {
		return fmt.Errorf("create import: %w", err)
	}
	im.CreatedAt, im.UpdatedAt = t.Now, t.Now
	return nil
}

// GetImport implements store.Store.
func (db *DB) GetImport(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	return getImport(ctx, db.Reader, tenantID, id, "")
}

// getImport reads a job; lock is the dialect's FOR UPDATE, or "".
func getImport(ctx context.Context, q Querier, tenantID, id int64, lock string) (intake.Import, error) {
	im, err := scanImport(q.QueryRow(ctx, `SELECT `+importCols+` FROM imports WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return im, intake.Errorf(intake.ENOTFOUND, "Import %d not found.", id)
	}
	if err != nil {
		return im, fmt.Errorf("get import %d: %w", id, err)
	}
	return im, nil
}

// ListImports implements store.Store.
func (db *DB) ListImports(ctx context.Context, tenantID int64, before int64, limit int) ([]intake.Import, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.Reader.Query(ctx, `SELECT `+importCols+` FROM imports WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
		tenantID, before, limit)
	out, err := collect(rows, err, scanImport)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return out, nil
}

// UpdateImport implements store.JobTx. The job's row is locked from the
// read to the write (FOR UPDATE on PostgreSQL; SQLite has one writer), so a
// cancel racing a start cannot lose either.
func (t *Tx) UpdateImport(ctx context.Context, id int64, fn func(*intake.Import) error) (intake.Import, error) {
	im, err := getImport(ctx, t.Q, t.TenantID, id, t.Dialect.ForUpdate)
	if err != nil {
		return im, err
	}
	if err := fn(&im); err != nil {
		return im, err
	}
	im.UpdatedAt = t.Now
	j := store.EncodeImport(&im)
	d := t.Dialect
	_, err = t.Q.Exec(ctx, `UPDATE imports SET name = $1, status = $2, format = $3, delimiter = $4, encoding = $5,
		sheet = $6, region = $7, options = $8, headers = $9, total_rows = $10, processed_rows = $11, created = $12,
		updated = $13, deleted = $14, skipped = $15, failed_rows = $16, warnings = $17, error = $18, updated_at = $19,
		started_at = $20, finished_at = $21, contacts_created = $22, partial_rows = $23, file_size = $24
		WHERE tenant_id = $25 AND id = $26`,
		im.Name, string(im.Status), im.Format, im.Delimiter, im.Encoding, im.Sheet, im.Spec.Region, j.Options, j.Headers,
		im.TotalRows, im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped, im.FailedRows, j.Warnings,
		im.Error, t.now(), d.NullTime(im.StartedAt), d.NullTime(im.FinishedAt), im.ContactsCreated, im.PartialRows, im.FileSize,
		t.TenantID, id)
	if err != nil {
		return im, fmt.Errorf("update import %d: %w", id, err)
	}
	return im, nil
}

// ListImportErrors implements store.Store.
func (db *DB) ListImportErrors(ctx context.Context, tenantID, importID int64, afterRow, limit int) ([]intake.RowError, error) {
	rows, err := db.Reader.Query(ctx, `SELECT e.row, e.column_name, e.field, e.value, e.code, e.message, e.outcome, e.row_values, e.contact_id
		FROM import_row_errors e JOIN imports i ON i.id = e.import_id
		WHERE i.tenant_id = $1 AND e.import_id = $2 AND e.row > $3 ORDER BY e.row LIMIT $4`, tenantID, importID, afterRow, limit)
	out, err := collect(rows, err, func(r Row) (intake.RowError, error) {
		var e intake.RowError
		var outcome, values string
		err := r.Scan(&e.Row, &e.Column, &e.Field, &e.Value, &e.Code, &e.Message, &outcome, &values, &e.ContactID)
		e.Outcome, e.Values = intake.Outcome(outcome), store.DecodeValues(values)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list import errors: %w", err)
	}
	return out, nil
}

// SaveImportProgress implements store.Tx: the checkpoint (SaveCheckpoint),
// then the row errors one statement each. PostgreSQL COPYs them instead.
func (t *Tx) SaveImportProgress(ctx context.Context, im *intake.Import, from int, errs []intake.RowError) error {
	if err := t.SaveCheckpoint(ctx, im, from); err != nil {
		return err
	}
	for _, e := range errs {
		if _, err := t.Q.Exec(ctx, `INSERT INTO import_row_errors (import_id, row, column_name, field, value, code, message,
			outcome, row_values, contact_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			im.ID, e.Row, e.Column, e.Field, e.Value, e.Code, e.Message, string(e.Outcome), store.EncodeValues(e.Values), e.ContactID); err != nil {
			return fmt.Errorf("save row error %d: %w", e.Row, err)
		}
	}
	return nil
}

// SaveCheckpoint stores im's counters if the stored job is still running
// and still at row from (see store.Tx.SaveImportProgress); ESTATE if not.
func (t *Tx) SaveCheckpoint(ctx context.Context, im *intake.Import, from int) error {
	n, err := t.Q.Exec(ctx, `UPDATE imports SET total_rows = $1, processed_rows = $2, created = $3, updated = $4,
		deleted = $5, skipped = $6, failed_rows = $7, contacts_created = $8, partial_rows = $9, updated_at = $10,
		errors_stored = $11, errors_omitted = $12
		WHERE tenant_id = $13 AND id = $14 AND status = 'running' AND processed_rows = $15`,
		im.TotalRows, im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped, im.FailedRows, im.ContactsCreated,
		im.PartialRows, t.now(), im.ErrorsStored, im.ErrorsOmitted, t.TenantID, im.ID, from)
	if err != nil {
		return fmt.Errorf("save import progress: %w", err)
	}
	if n != 1 {
		return intake.Errorf(intake.ESTATE, "Import %d is no longer running from row %d.", im.ID, from)
	}
	return nil
}

// ExpiredImports implements store.Store.
func (db *DB) ExpiredImports(ctx context.Context, before time.Time, limit int) ([]intake.Import, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+importCols+` FROM imports
		WHERE expired_at IS NULL AND finished_at < $1 AND status IN ('completed', 'failed', 'cancelled')
		ORDER BY finished_at, id LIMIT $2`, db.Dialect.Time(before), limit)
	out, err := collect(rows, err, scanImport)
	if err != nil {
		return nil, fmt.Errorf("list expired imports: %w", err)
	}
	return out, nil
}

// ExpireImport implements store.Store.
func (db *DB) ExpireImport(ctx context.Context, tenantID, id int64) error {
	return db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `UPDATE imports SET expired_at = $1 WHERE tenant_id = $2 AND id = $3`, db.Dialect.Time(db.Clock()), tenantID, id)
		if err != nil {
			return fmt.Errorf("expire import %d: %w", id, err)
		}
		if n != 1 {
			return intake.Errorf(intake.ENOTFOUND, "Import %d not found.", id)
		}
		if _, err := q.Exec(ctx, `DELETE FROM import_row_errors WHERE import_id = $1`, id); err != nil {
			return fmt.Errorf("expire import %d: %w", id, err)
		}
		return nil
	})
}

// ParkedImports implements store.Store.
func (db *DB) ParkedImports(ctx context.Context, before time.Time, limit int) ([]intake.Import, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+importCols+` FROM imports
		WHERE status = 'awaiting_mapping' AND updated_at < $1 ORDER BY updated_at, id LIMIT $2`, db.Dialect.Time(before), limit)
	out, err := collect(rows, err, scanImport)
	if err != nil {
		return nil, fmt.Errorf("list parked imports: %w", err)
	}
	return out, nil
}

// ParkedBytes implements store.JobTx.
func (t *Tx) ParkedBytes(ctx context.Context) (int64, error) {
	var n int64
	// CAST: PostgreSQL's SUM of bigint is numeric.
	err := t.Q.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(file_size), 0) AS BIGINT) FROM imports
		WHERE tenant_id = $1 AND status = 'awaiting_mapping'`, t.TenantID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sum parked upload bytes: %w", err)
	}
	return n, nil
}
