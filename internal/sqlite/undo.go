package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/intake/intake/internal/store"
)

// What an import changes is recorded as JSON images built by json_object
// from store.UndoTables, in the import's own transaction: one INSERT …
// SELECT per batch call before it writes, and two statements per chunk
// after (see store.Recorder). Undo restores them with json_extract.

// image is the JSON image expression of a row of ut aliased t. A list from
// a subquery loses its JSON subtype, so json() marks it JSON again (else
// json_object would store it as a string).
func image(ut store.UndoTable) string {
	parts := make([]string, 0, 2*len(ut.Columns)+2*len(ut.Sets))
	for _, c := range ut.Columns {
		v := "t." + c
		if isJSONColumn(ut, c) {
			v = "json(t." + c + ")"
		}
		parts = append(parts, "'"+c+"'", v)
	}
	for _, s := range ut.Sets {
		parts = append(parts, "'"+s.Key+"'",
			fmt.Sprintf("json((SELECT json_group_array(%s ORDER BY %s) FROM %s WHERE %s = t.id))", s.Other, s.Other, s.Table, s.Own))
	}
	return "json_object(" + strings.Join(parts, ", ") + ")"
}

func isJSONColumn(ut store.UndoTable, c string) bool {
	for _, j := range ut.JSON {
		if j == c {
			return true
		}
	}
	return false
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
	if err := t.tx.QueryRowContext(ctx, "SELECT "+strings.Join(parts, ", ")).Scan(ptrs...); err != nil {
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
	_, err = t.tx.ExecContext(ctx, `INSERT INTO undo_rows (import_id, seq, kind, row_id, phase, before)
		SELECT ?, ?, ?, t.id, ?, `+image(ut)+` FROM `+ut.Table+` t
		WHERE t.tenant_id = ? AND t.`+by+` IN (SELECT value FROM json_each(?)) AND t.id <= ?
		ON CONFLICT (import_id, kind, row_id) DO UPDATE SET seq = excluded.seq`+deletedWith(by),
		importID, seq, kind, ut.Restored, t.TenantID, store.IDsJSON(ids), upTo)
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
		if _, err := t.tx.ExecContext(ctx, `UPDATE undo_rows SET after = (SELECT `+image(ut)+` FROM `+ut.Table+` t WHERE t.id = undo_rows.row_id)
			WHERE import_id = ? AND kind = ? AND row_id IN (SELECT value FROM json_each(?))`, importID, kind, store.IDsJSON(ids)); err != nil {
			return fmt.Errorf("record %s after images: %w", kind, err)
		}
	}
	created := make([]string, len(store.UndoTables))
	for i, ut := range store.UndoTables {
		created[i] = fmt.Sprintf("SELECT %d, %d, '%s', t.id, %d, %s FROM %s t WHERE t.tenant_id = %d AND t.id > %d",
			importID, seq, ut.Kind, ut.Created, image(ut), ut.Table, t.TenantID, marks[ut.Kind])
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO undo_rows (import_id, seq, kind, row_id, phase, after) `+
		strings.Join(created, " UNION ALL ")+` ON CONFLICT (import_id, kind, row_id) DO NOTHING`); err != nil {
		return fmt.Errorf("record created rows: %w", err)
	}
	return nil
}

// ChunkRows implements store.Recorder.
func (t *tx) ChunkRows(ctx context.Context, importID int64, seq int) ([]store.UndoRow, error) {
	return t.undoRows(ctx, `import_id = ? AND seq = ? ORDER BY id`, importID, seq)
}

// NextUndoRows implements store.Undoer.
func (t *tx) NextUndoRows(ctx context.Context, importID int64, limit int) ([]store.UndoRow, error) {
	return t.undoRows(ctx, `import_id = ? AND undone = 0 ORDER BY phase, id LIMIT ?`, importID, limit)
}

func (t *tx) undoRows(ctx context.Context, where string, args ...any) ([]store.UndoRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, seq, kind, row_id, phase, before, after FROM undo_rows
		WHERE import_id IN (SELECT id FROM imports WHERE tenant_id = ?) AND `+where, append([]any{t.TenantID}, args...)...)
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
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM undo_rows WHERE import_id = ?`, importID).Scan(&n)
	if err != nil {
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
	rows, err := t.tx.QueryContext(ctx, `SELECT t.id, `+image(ut)+` FROM `+ut.Table+` t
		WHERE t.tenant_id = ? AND t.id IN (SELECT value FROM json_each(?))`, t.TenantID, store.IDsJSON(ids))
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
	_, err := t.tx.ExecContext(ctx, `UPDATE undo_rows SET undone = 1 WHERE id IN (SELECT value FROM json_each(?))
		AND import_id IN (SELECT id FROM imports WHERE tenant_id = ?)`, store.IDsJSON(ids), t.TenantID)
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
