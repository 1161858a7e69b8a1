package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/intake/intake/internal/store"
)

// SaveChanges implements store.Recorder.
func (t *tx) SaveChanges(ctx context.Context, importID int64, cs []store.Change) error {
	if len(cs) == 0 {
		return nil
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("encode changes: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO import_changes (import_id, row, outcome, record_id, changes)
		SELECT ?, json_extract(value, '$.row'), json_extract(value, '$.outcome'), coalesce(json_extract(value, '$.record_id'), 0),
			json(json_extract(value, '$.changes')) FROM json_each(?)`, importID, string(b))
	if err != nil {
		return fmt.Errorf("save changes: %w", err)
	}
	return nil
}

// PreviewChanges implements store.Recorder.
func (t *tx) PreviewChanges(ctx context.Context, importID int64, from, to int) ([]store.Change, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, row, outcome, record_id, changes FROM import_changes
		WHERE import_id = ? AND row BETWEEN ? AND ? ORDER BY id`, importID, from, to)
	if err != nil {
		return nil, fmt.Errorf("read preview: %w", err)
	}
	return scanChanges(rows)
}

// ClearReport implements store.Recorder.
func (t *tx) ClearReport(ctx context.Context, importID int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM import_row_errors WHERE import_id = ?`, importID); err != nil {
		return fmt.Errorf("clear report: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE imports SET errors_stored = 0, errors_omitted = 0 WHERE tenant_id = ? AND id = ?`, t.TenantID, importID); err != nil {
		return fmt.Errorf("clear report: %w", err)
	}
	return nil
}

type rowsScanner interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

func scanChanges(rows rowsScanner) ([]store.Change, error) {
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var c store.Change
		var changes string
		if err := rows.Scan(&c.ID, &c.Row, &c.Outcome, &c.RecordID, &changes); err != nil {
			return nil, fmt.Errorf("read changes: %w", err)
		}
		if err := json.Unmarshal([]byte(changes), &c.Changes); err != nil {
			return nil, fmt.Errorf("read changes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListChanges implements store.ChangeReader.
func (db *DB) ListChanges(ctx context.Context, tenantID, importID int64, f store.ChangeFilter) ([]store.Change, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.row, c.outcome, c.record_id, c.changes
		FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE i.tenant_id = ? AND c.import_id = ? AND c.id > ? AND (? = '' OR c.outcome = ?)
			AND (? = '' OR EXISTS (SELECT 1 FROM json_each(c.changes) j WHERE json_extract(j.value, '$.field') = ?))
		ORDER BY c.id LIMIT ?`, tenantID, importID, f.After, f.Outcome, f.Outcome, f.Field, f.Field, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return scanChanges(rows)
}

// ChangeSummary implements store.ChangeReader.
func (db *DB) ChangeSummary(ctx context.Context, tenantID, importID int64) (store.ChangeSummary, error) {
	sum := store.ChangeSummary{Outcomes: map[string]int{}, Fields: map[string]store.FieldCount{}}
	rows, err := db.read.QueryContext(ctx, `SELECT c.outcome, count(*) FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE i.tenant_id = ? AND c.import_id = ? GROUP BY c.outcome`, tenantID, importID)
	if err != nil {
		return sum, fmt.Errorf("summarise changes: %w", err)
	}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			rows.Close()
			return sum, fmt.Errorf("summarise changes: %w", err)
		}
		sum.Outcomes[o] = n
	}
	rows.Close()
	rows, err = db.read.QueryContext(ctx, `SELECT json_extract(j.value, '$.field'),
			sum(CASE WHEN json_extract(j.value, '$.after') IS NULL OR json_extract(j.value, '$.after') = '' THEN 1 ELSE 0 END), count(*)
		FROM import_changes c JOIN imports i ON i.id = c.import_id, json_each(c.changes) j
		WHERE i.tenant_id = ? AND c.import_id = ? AND c.outcome IN ('updated', 'partial') GROUP BY 1`, tenantID, importID)
	if err != nil {
		return sum, fmt.Errorf("summarise changed fields: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var field string
		var cleared, n int
		if err := rows.Scan(&field, &cleared, &n); err != nil {
			return sum, fmt.Errorf("summarise changed fields: %w", err)
		}
		sum.Fields[field] = store.FieldCount{Changed: n - cleared, Cleared: cleared}
	}
	return sum, rows.Err()
}

// SweepUndo implements store.ChangeReader: the undo rows of imports that
// ended longer ago than their tenant's undo window (days; 0 = def) go.
func (db *DB) SweepUndo(ctx context.Context, now time.Time, def int) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM undo_rows WHERE import_id IN (
		SELECT i.id FROM imports i JOIN tenants t ON t.id = i.tenant_id
		WHERE i.finished_at IS NOT NULL AND i.finished_at < ? - (CASE WHEN t.undo_days > 0 THEN t.undo_days ELSE ? END) * 86400000000)`,
		micros(now), def)
	if err != nil {
		return 0, fmt.Errorf("sweep undo rows: %w", err)
	}
	return res.RowsAffected()
}
