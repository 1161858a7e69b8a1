package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const importCols = `id, tenant_id, name, resource, status, file_name, file_key, file_size, format, delimiter, encoding,
	sheet, region, options, headers, total_rows, processed_rows, created, updated, deleted, skipped, failed_rows,
	warnings, error, created_at, updated_at, started_at, finished_at, contacts_created, partial_rows, errors_stored, errors_omitted, expired_at`

func scanImport(s scanner) (intake.Import, error) {
	var im intake.Import
	var j store.ImportJSON
	var status string
	var created, updated int64
	var started, finished, expired sql.NullInt64
	err := s.Scan(&im.ID, &im.TenantID, &im.Name, &im.Spec.Resource, &status, &im.FileName, &im.FileKey, &im.FileSize,
		&im.Format, &im.Delimiter, &im.Encoding, &im.Sheet, &im.Spec.Region, &j.Options, &j.Headers, &im.TotalRows,
		&im.ProcessedRows, &im.Created, &im.Updated, &im.Deleted, &im.Skipped, &im.FailedRows, &j.Warnings,
		&im.Error, &created, &updated, &started, &finished, &im.ContactsCreated, &im.PartialRows, &im.ErrorsStored, &im.ErrorsOmitted, &expired)
	if err != nil {
		return im, err
	}
	im.Status = intake.ImportStatus(status)
	im.CreatedAt, im.UpdatedAt = fromMicros(created), fromMicros(updated)
	if started.Valid {
		t := fromMicros(started.Int64)
		im.StartedAt = &t
	}
	if finished.Valid {
		t := fromMicros(finished.Int64)
		im.FinishedAt = &t
	}
	if expired.Valid {
		t := fromMicros(expired.Int64)
		im.ExpiredAt, im.ReportExpired = &t, true
	}
	return im, store.DecodeImport(&im, j)
}

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
	if err := fn(&jobTx{tx: sqlTx, tenantID: tenantID, now: db.now}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// jobTx implements store.JobTx.
type jobTx struct {
	tx       *sql.Tx
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
	now := t.now().UTC()
	j := store.EncodeImport(im)
	err := t.tx.QueryRowContext(ctx, `INSERT INTO imports (tenant_id, name, resource, status, file_name, file_key,
		file_size, format, delimiter, encoding, sheet, region, options, headers, total_rows, warnings, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		im.TenantID, im.Name, im.Spec.Resource, string(im.Status), im.FileName, im.FileKey, im.FileSize, im.Format,
		im.Delimiter, im.Encoding, im.Sheet, im.Spec.Region, j.Options, j.Headers, im.TotalRows, j.Warnings,
		micros(now), micros(now)).Scan(&im.ID)
	if err != nil {
		return fmt.Errorf("create import: %w", err)
	}
	im.CreatedAt, im.UpdatedAt = now, now
	return nil
}

// GetImport implements store.Store.
func (db *DB) GetImport(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	return getImport(ctx, db.read, tenantID, id)
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func getImport(ctx context.Context, q queryer, tenantID, id int64) (intake.Import, error) {
	im, err := scanImport(q.QueryRowContext(ctx, `SELECT `+importCols+` FROM imports WHERE tenant_id = ? AND id = ?`, tenantID, id))
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
	rows, err := db.read.QueryContext(ctx, `SELECT `+importCols+` FROM imports WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
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

// UpdateImport implements store.JobTx. The transaction holds SQLite's one
// write lock, so nothing changes the job between the read and the write.
func (t *jobTx) UpdateImport(ctx context.Context, id int64, fn func(*intake.Import) error) (intake.Import, error) {
	im, err := getImport(ctx, t.tx, t.tenantID, id)
	if err != nil {
		return im, err
	}
	if err := fn(&im); err != nil {
		return im, err
	}
	im.UpdatedAt = t.now().UTC()
	j := store.EncodeImport(&im)
	_, err = t.tx.ExecContext(ctx, `UPDATE imports SET name = ?, status = ?, format = ?, delimiter = ?, encoding = ?,
		sheet = ?, region = ?, options = ?, headers = ?, total_rows = ?, processed_rows = ?, created = ?, updated = ?,
		deleted = ?, skipped = ?, failed_rows = ?, warnings = ?, error = ?, updated_at = ?, started_at = ?, finished_at = ?,
		contacts_created = ?, partial_rows = ? WHERE tenant_id = ? AND id = ?`,
		im.Name, string(im.Status), im.Format, im.Delimiter, im.Encoding, im.Sheet, im.Spec.Region, j.Options, j.Headers,
		im.TotalRows, im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped, im.FailedRows, j.Warnings,
		im.Error, micros(im.UpdatedAt), optTime(im.StartedAt), optTime(im.FinishedAt), im.ContactsCreated, im.PartialRows, t.tenantID, id)
	if err != nil {
		return im, fmt.Errorf("update import %d: %w", id, err)
	}
	return im, nil
}

// optTime stores an optional timestamp as NULL or microseconds.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// ListImportErrors implements store.Store.
func (db *DB) ListImportErrors(ctx context.Context, tenantID, importID int64, afterRow, limit int) ([]intake.RowError, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.row, e.column_name, e.field, e.value, e.code, e.message, e.outcome, e.row_values
		FROM import_row_errors e JOIN imports i ON i.id = e.import_id
		WHERE i.tenant_id = ? AND e.import_id = ? AND e.row > ? ORDER BY e.row LIMIT ?`, tenantID, importID, afterRow, limit)
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

// SaveImportProgress implements store.Tx.
func (t *tx) SaveImportProgress(ctx context.Context, im *intake.Import, from int, errs []intake.RowError) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE imports SET total_rows = ?, processed_rows = ?, created = ?, updated = ?,
		deleted = ?, skipped = ?, failed_rows = ?, contacts_created = ?, partial_rows = ?, updated_at = ?, errors_stored = ?, errors_omitted = ?
		WHERE tenant_id = ? AND id = ? AND status = 'running' AND processed_rows = ?`,
		im.TotalRows, im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped, im.FailedRows, im.ContactsCreated, im.PartialRows,
		micros(t.now), im.ErrorsStored, im.ErrorsOmitted,
		t.tenantID, im.ID, from)
	if err != nil {
		return fmt.Errorf("save import progress: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return intake.Errorf(intake.ESTATE, "Import %d is no longer running from row %d.", im.ID, from)
	}
	if len(errs) == 0 {
		return nil
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO import_row_errors (import_id, row, column_name, field, value, code, message, outcome, row_values)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare row errors: %w", err)
	}
	defer stmt.Close()
	for _, e := range errs {
		if _, err := stmt.ExecContext(ctx, im.ID, e.Row, e.Column, e.Field, e.Value, e.Code, e.Message, string(e.Outcome), store.EncodeValues(e.Values)); err != nil {
			return fmt.Errorf("save row error %d: %w", e.Row, err)
		}
	}
	return nil
}
