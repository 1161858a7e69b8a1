package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	_, err = t.tx.Exec(ctx, `INSERT INTO import_changes (import_id, row, outcome, record_id, changes)
		SELECT $1, (v->>'row')::int, v->>'outcome', coalesce((v->>'record_id')::bigint, 0), coalesce(v->'changes', '[]')
		FROM jsonb_array_elements($2::jsonb) v`, importID, string(b))
	if err != nil {
		return fmt.Errorf("save changes: %w", err)
	}
	return nil
}

// PreviewChanges implements store.Recorder.
func (t *tx) PreviewChanges(ctx context.Context, importID int64, from, to int) ([]store.Change, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, row, outcome, record_id, changes::text FROM import_changes
		WHERE import_id = $1 AND row BETWEEN $2 AND $3 ORDER BY id`, importID, from, to)
	if err != nil {
		return nil, fmt.Errorf("read preview: %w", err)
	}
	return scanChanges(rows)
}

// ClearReport implements store.Recorder.
func (t *tx) ClearReport(ctx context.Context, importID int64) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM import_row_errors WHERE import_id = $1`, importID); err != nil {
		return fmt.Errorf("clear report: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `UPDATE imports SET errors_stored = 0, errors_omitted = 0 WHERE tenant_id = $1 AND id = $2`, t.TenantID, importID); err != nil {
		return fmt.Errorf("clear report: %w", err)
	}
	return nil
}

func scanChanges(rows pgx.Rows) ([]store.Change, error) {
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
	rows, err := db.pool.Query(ctx, `SELECT c.id, c.row, c.outcome, c.record_id, c.changes::text
		FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE i.tenant_id = $1 AND c.import_id = $2 AND c.id > $3 AND ($4 = '' OR c.outcome = $4)
			AND ($5 = '' OR c.changes @> jsonb_build_array(jsonb_build_object('field', $5::text)))
		ORDER BY c.id LIMIT $6`, tenantID, importID, f.After, f.Outcome, f.Field, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return scanChanges(rows)
}

// ChangeSummary implements store.ChangeReader.
func (db *DB) ChangeSummary(ctx context.Context, tenantID, importID int64) (store.ChangeSummary, error) {
	sum := store.ChangeSummary{Outcomes: map[string]int{}, Fields: map[string]store.FieldCount{}}
	rows, err := db.pool.Query(ctx, `SELECT c.outcome, count(*) FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE i.tenant_id = $1 AND c.import_id = $2 GROUP BY c.outcome`, tenantID, importID)
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
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("summarise changes: %w", err)
	}
	rows, err = db.pool.Query(ctx, `SELECT j->>'field',
			count(*) FILTER (WHERE j->'after' IS NULL OR j->'after' = 'null' OR j->'after' = '""'), count(*)
		FROM import_changes c JOIN imports i ON i.id = c.import_id, jsonb_array_elements(c.changes) j
		WHERE i.tenant_id = $1 AND c.import_id = $2 AND c.outcome IN ('updated', 'partial') GROUP BY 1`, tenantID, importID)
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
	tag, err := db.pool.Exec(ctx, `DELETE FROM undo_rows WHERE import_id IN (
		SELECT i.id FROM imports i JOIN tenants t ON t.id = i.tenant_id
		WHERE i.finished_at < $1::timestamptz - make_interval(days => CASE WHEN t.undo_days > 0 THEN t.undo_days ELSE $2::int END))`, now, def)
	if err != nil {
		return 0, fmt.Errorf("sweep undo rows: %w", err)
	}
	return tag.RowsAffected(), nil
}
