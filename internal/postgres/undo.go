package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/intake/intake/internal/store"
)

// What an import changes is recorded as jsonb images built by
// jsonb_build_object from store.UndoTables, in the import's own
// transaction: one INSERT … SELECT per batch call before it writes, and two
// statements per chunk after (see store.Recorder). Undo restores them with
// jsonb_populate_record.

// image is the jsonb image expression of a row of ut aliased t.
func image(ut store.UndoTable) string {
	parts := make([]string, 0, 2*len(ut.Columns)+2*len(ut.Sets))
	for _, c := range ut.Columns {
		parts = append(parts, "'"+c+"'", "t."+c)
	}
	for _, s := range ut.Sets {
		parts = append(parts, "'"+s.Key+"'",
			fmt.Sprintf("coalesce((SELECT jsonb_agg(%s ORDER BY %s) FROM %s WHERE %s = t.id), '[]'::jsonb)", s.Other, s.Other, s.Table, s.Own))
	}
	return "jsonb_build_object(" + strings.Join(parts, ", ") + ")"
}

func undoTable(kind string) (store.UndoTable, error) {
	ut, ok := store.UndoTableOf(kind)
	if !ok {
		return ut, fmt.Errorf("no undo table for kind %q", kind)
	}
	return ut, nil
}

// UndoMarks implements store.Recorder: the highest id of every recorded
// table, in one statement (each max is the end of its primary key).
func (t *tx) UndoMarks(ctx context.Context) (store.UndoMarks, error) {
	parts := make([]string, len(store.UndoTables))
	for i, ut := range store.UndoTables {
		parts[i] = "(SELECT coalesce(max(id), 0) FROM " + ut.Table + ")"
	}
	vals := make([]int64, len(parts))
	ptrs := make([]any, len(parts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := t.tx.QueryRow(ctx, "SELECT "+strings.Join(parts, ", ")).Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("undo marks: %w", err)
	}
	m := store.UndoMarks{}
	for i, ut := range store.UndoTables {
		m[ut.Kind] = vals[i]
	}
	return m, nil
}

// RecordBefore implements store.Recorder.
func (t *tx) RecordBefore(ctx context.Context, importID int64, seq int, kind, by string, ids []int64, upTo int64) error {
	if len(ids) == 0 {
		return nil
	}
	ut, err := undoTable(kind)
	if err != nil {
		return err
	}
	if by != "id" && by != "contact_id" {
		return fmt.Errorf("record %s before images: no column %q", kind, by)
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO undo_rows (import_id, seq, kind, row_id, phase, before)
		SELECT $1, $2, $3, t.id, $4, `+image(ut)+` FROM `+ut.Table+` t
		WHERE t.tenant_id = $5 AND t.`+by+` = ANY($6) AND t.id <= $7
		ON CONFLICT (import_id, kind, row_id) DO UPDATE SET seq = excluded.seq`+deletedWith(by),
		importID, seq, kind, ut.Restored, t.TenantID, ids, upTo)
	if err != nil {
		return fmt.Errorf("record %s before images: %w", kind, err)
	}
	return nil
}

// RecordAfter implements store.Recorder: one UPDATE per touched kind of
// the chunk's after images, then one INSERT … SELECT of every table's new
// rows with theirs (a creation needs no second statement).
func (t *tx) RecordAfter(ctx context.Context, importID int64, seq int, marks store.UndoMarks, touched map[string][]int64) error {
	for kind, ids := range touched {
		ut, err := undoTable(kind)
		if err != nil {
			return err
		}
		// Found by the unique (import_id, kind, row_id) index, whatever the
		// table's statistics say; correlated, so a row the chunk deleted
		// gets NULL.
		if _, err := t.tx.Exec(ctx, `UPDATE undo_rows u SET after = (SELECT `+image(ut)+` FROM `+ut.Table+` t WHERE t.id = u.row_id)
			WHERE u.import_id = $1 AND u.kind = $2 AND u.row_id = ANY($3)`, importID, kind, ids); err != nil {
			return fmt.Errorf("record %s after images: %w", kind, err)
		}
	}
	created := make([]string, len(store.UndoTables))
	for i, ut := range store.UndoTables {
		created[i] = fmt.Sprintf("SELECT %d::bigint, %d, '%s', t.id, %d, %s FROM %s t WHERE t.tenant_id = %d AND t.id > %d",
			importID, seq, ut.Kind, ut.Created, image(ut), ut.Table, t.TenantID, marks[ut.Kind])
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO undo_rows (import_id, seq, kind, row_id, phase, after) `+
		strings.Join(created, " UNION ALL ")+` ON CONFLICT (import_id, kind, row_id) DO NOTHING`); err != nil {
		return fmt.Errorf("record created rows: %w", err)
	}
	return nil
}

// ChunkRows implements store.Recorder.
func (t *tx) ChunkRows(ctx context.Context, importID int64, seq int) ([]store.UndoRow, error) {
	return t.undoRows(ctx, `import_id = $2 AND seq = $3 ORDER BY id`, importID, seq)
}

// NextUndoRows implements store.Undoer.
func (t *tx) NextUndoRows(ctx context.Context, importID int64, limit int) ([]store.UndoRow, error) {
	return t.undoRows(ctx, `import_id = $2 AND NOT undone ORDER BY phase, id LIMIT $3`, importID, limit)
}

func (t *tx) undoRows(ctx context.Context, where string, args ...any) ([]store.UndoRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, seq, kind, row_id, phase, before::text, after::text FROM undo_rows
		WHERE import_id IN (SELECT id FROM imports WHERE tenant_id = $1) AND `+where, append([]any{t.TenantID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read undo rows: %w", err)
	}
	defer rows.Close()
	var out []store.UndoRow
	for rows.Next() {
		var r store.UndoRow
		var before, after *string
		if err := rows.Scan(&r.ID, &r.Seq, &r.Kind, &r.RowID, &r.Phase, &before, &after); err != nil {
			return nil, fmt.Errorf("read undo rows: %w", err)
		}
		if before != nil {
			r.Before = json.RawMessage(*before)
		}
		if after != nil {
			r.After = json.RawMessage(*after)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UndoSize implements store.Undoer.
func (t *tx) UndoSize(ctx context.Context, importID int64) (int, error) {
	var n int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM undo_rows WHERE import_id = $1`, importID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count undo rows: %w", err)
	}
	return n, nil
}

// CurrentImages implements store.Undoer.
func (t *tx) CurrentImages(ctx context.Context, kind string, ids []int64) (map[int64]json.RawMessage, error) {
	ut, err := undoTable(kind)
	if err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(ctx, `SELECT t.id, (`+image(ut)+`)::text FROM `+ut.Table+` t WHERE t.tenant_id = $1 AND t.id = ANY($2)`, t.TenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("read current %s images: %w", kind, err)
	}
	defer rows.Close()
	out := map[int64]json.RawMessage{}
	for rows.Next() {
		var id int64
		var img string
		if err := rows.Scan(&id, &img); err != nil {
			return nil, fmt.Errorf("read current %s images: %w", kind, err)
		}
		out[id] = json.RawMessage(img)
	}
	return out, rows.Err()
}

// MarkUndone implements store.Undoer.
func (t *tx) MarkUndone(ctx context.Context, ids []int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE undo_rows SET undone = true WHERE id = ANY($1)
		AND import_id IN (SELECT id FROM imports WHERE tenant_id = $2)`, ids, t.TenantID)
	if err != nil {
		return fmt.Errorf("mark undone: %w", err)
	}
	return nil
}

// deletedWith ends the upsert of rows recorded by their contact: the
// contact's delete takes them, so what the import left of them is nothing.
func deletedWith(by string) string {
	if by == "contact_id" {
		return ", after = NULL"
	}
	return ""
}
