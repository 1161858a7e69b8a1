package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/intake/intake/internal/store"
)

// A preview's change set: one import_changes row per previewed row, its
// field changes a JSON array.

// SaveChanges implements store.Recorder: the whole batch in one statement.
func (t *Tx) SaveChanges(ctx context.Context, importID int64, cs []store.Change) error {
	if len(cs) == 0 {
		return nil
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("encode changes: %w", err)
	}
	_, err = t.Q.Exec(ctx, `INSERT INTO import_changes (import_id, row, outcome, record_id, changes)
		SELECT $1, u.row, u.outcome, coalesce(u.record_id, 0), coalesce(u.changes, '[]')
		FROM `+t.Dialect.Records("$2", "row int", "outcome text", "record_id bigint", "changes jsonb"), importID, string(b))
	if err != nil {
		return fmt.Errorf("save changes: %w", err)
	}
	return nil
}

const changeCols = `c.id, c.row, c.outcome, c.record_id, c.changes`

func scanChange(r Row) (store.Change, error) {
	var c store.Change
	var changes []byte
	if err := r.Scan(&c.ID, &c.Row, &c.Outcome, &c.RecordID, &changes); err != nil {
		return c, err
	}
	return c, json.Unmarshal(changes, &c.Changes)
}

// PreviewChanges implements store.Recorder.
func (t *Tx) PreviewChanges(ctx context.Context, importID int64, from, to int) ([]store.Change, error) {
	rows, err := t.Q.Query(ctx, `SELECT `+changeCols+` FROM import_changes c
		WHERE c.import_id = $1 AND c.row BETWEEN $2 AND $3 ORDER BY c.id`, importID, from, to)
	out, err := collect(rows, err, scanChange)
	if err != nil {
		return nil, fmt.Errorf("read preview: %w", err)
	}
	return out, nil
}

// ClearReport implements store.Recorder.
func (t *Tx) ClearReport(ctx context.Context, importID int64) error {
	if _, err := t.Q.Exec(ctx, `DELETE FROM import_row_errors WHERE import_id = $1`, importID); err != nil {
		return fmt.Errorf("clear report: %w", err)
	}
	if _, err := t.Q.Exec(ctx, `UPDATE imports SET errors_stored = 0, errors_omitted = 0 WHERE tenant_id = $1 AND id = $2`, t.TenantID, importID); err != nil {
		return fmt.Errorf("clear report: %w", err)
	}
	return nil
}

// ListChanges implements store.ChangeReader.
func (db *DB) ListChanges(ctx context.Context, tenantID, importID int64, f store.ChangeFilter) ([]store.Change, error) {
	d := db.Dialect
	rows, err := db.Reader.Query(ctx, `SELECT `+changeCols+`
		FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE i.tenant_id = $1 AND c.import_id = $2 AND c.id > $3 AND ($4 = '' OR c.outcome = $4)
			AND ($5 = '' OR EXISTS (SELECT 1 FROM `+d.JSONElements("c.changes", "")+` WHERE `+d.JSONGet("j.value", "field")+` = $5))
		ORDER BY c.id LIMIT $6`, tenantID, importID, f.After, f.Outcome, f.Field, f.Limit)
	out, err := collect(rows, err, scanChange)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return out, nil
}

// ChangeSummary implements store.ChangeReader.
func (db *DB) ChangeSummary(ctx context.Context, tenantID, importID int64) (store.ChangeSummary, error) {
	sum := store.ChangeSummary{Outcomes: map[string]int{}, Fields: map[string]store.FieldCount{}}
	type count struct {
		key     string
		cleared int
		n       int
	}
	rows, err := db.Reader.Query(ctx, `SELECT c.outcome, 0, count(*) FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE i.tenant_id = $1 AND c.import_id = $2 GROUP BY c.outcome`, tenantID, importID)
	scan := func(r Row) (count, error) {
		var c count
		return c, r.Scan(&c.key, &c.cleared, &c.n)
	}
	outcomes, err := collect(rows, err, scan)
	if err != nil {
		return sum, fmt.Errorf("summarise changes: %w", err)
	}
	for _, c := range outcomes {
		sum.Outcomes[c.key] = c.n
	}
	d := db.Dialect
	after := d.JSONGet("j.value", "after")
	rows, err = db.Reader.Query(ctx, `SELECT `+d.JSONGet("j.value", "field")+`,
			sum(CASE WHEN `+after+` IS NULL OR `+after+` = '' THEN 1 ELSE 0 END), count(*)
		FROM import_changes c JOIN imports i ON i.id = c.import_id, `+d.JSONElements("c.changes", "")+`
		WHERE i.tenant_id = $1 AND c.import_id = $2 AND c.outcome IN ('updated', 'partial') GROUP BY 1`, tenantID, importID)
	fields, err := collect(rows, err, scan)
	if err != nil {
		return sum, fmt.Errorf("summarise changed fields: %w", err)
	}
	for _, c := range fields {
		sum.Fields[c.key] = store.FieldCount{Changed: c.n - c.cleared, Cleared: c.cleared}
	}
	return sum, nil
}

// SweepUndo implements store.ChangeReader: the undo rows of imports that
// ended longer ago than their tenant's undo window (days; 0 = def) go.
func (db *DB) SweepUndo(ctx context.Context, now time.Time, def int) (int64, error) {
	n, err := db.Writer.Exec(ctx, `DELETE FROM undo_rows WHERE import_id IN (
		SELECT i.id FROM imports i JOIN tenants t ON t.id = i.tenant_id
		WHERE i.finished_at IS NOT NULL
			AND i.finished_at < `+db.Dialect.DaysBefore("$1", "CASE WHEN t.undo_days > 0 THEN t.undo_days ELSE $2 END")+`)`,
		db.Dialect.Time(now), def)
	if err != nil {
		return 0, fmt.Errorf("sweep undo rows: %w", err)
	}
	return n, nil
}
