package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/intake/intake/internal/store"
)

// What an import changes is recorded as JSON images of the rows
// store.UndoTables describes, in the import's own transaction: one INSERT
// … SELECT per batch call before it writes, and two statements per chunk
// after (see store.Recorder). An image is built by the dialect's JSON
// object and list functions, so it has the same keys on both stores.

// image is the JSON image expression of a row of ut aliased t.
func (d *Dialect) image(ut store.UndoTable) string {
	parts := make([]string, 0, 2*len(ut.Columns)+2*len(ut.Sets))
	for _, c := range ut.Columns {
		v := "t." + c
		if isJSONColumn(ut, c) {
			v = d.AsJSON(v)
		}
		parts = append(parts, "'"+c+"'", v)
	}
	for _, s := range ut.Sets {
		parts = append(parts, "'"+s.Key+"'", d.JSONList(s.Other, "FROM "+s.Table+" WHERE "+s.Own+" = t.id"))
	}
	return d.JSONObject + "(" + strings.Join(parts, ", ") + ")"
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
func (t *Tx) UndoMarks(ctx context.Context) (store.UndoMarks, error) {
	parts := make([]string, len(store.UndoTables))
	for i, ut := range store.UndoTables {
		parts[i] = "(SELECT coalesce(max(id), 0) FROM " + ut.Table + ")"
	}
	vals := make([]int64, len(parts))
	ptrs := make([]any, len(parts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := t.Q.QueryRow(ctx, "SELECT "+strings.Join(parts, ", ")).Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("undo marks: %w", err)
	}
	m := store.UndoMarks{}
	for i, ut := range store.UndoTables {
		m[ut.Kind] = vals[i]
	}
	return m, nil
}

// RecordBefore implements store.Recorder.
func (t *Tx) RecordBefore(ctx context.Context, importID int64, seq int, kind, by string, ids []int64, upTo int64) error {
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
	_, err = t.Q.Exec(ctx, `INSERT INTO undo_rows (import_id, seq, kind, row_id, phase, before)
		SELECT $1, $2, $3, t.id, $4, `+t.Dialect.image(ut)+` FROM `+ut.Table+` t
		WHERE t.tenant_id = $5 AND `+t.Dialect.In("t."+by, "$6")+` AND t.id <= $7
		ON CONFLICT (import_id, kind, row_id) DO UPDATE SET seq = excluded.seq`+deletedWith(by),
		importID, seq, kind, ut.Restored, t.TenantID, t.Dialect.List(ids), upTo)
	if err != nil {
		return fmt.Errorf("record %s before images: %w", kind, err)
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

// RecordAfter implements store.Recorder: one UPDATE per touched kind of
// the chunk's after images, then one INSERT … SELECT of every table's new
// rows with theirs (a creation needs no second statement).
func (t *Tx) RecordAfter(ctx context.Context, importID int64, seq int, marks store.UndoMarks, touched map[string][]int64) error {
	for kind, ids := range touched {
		ut, err := undoTable(kind)
		if err != nil {
			return err
		}
		// Found by the unique (import_id, kind, row_id) index, whatever the
		// table's statistics say; correlated, so a row the chunk deleted
		// gets NULL.
		if _, err := t.Q.Exec(ctx, `UPDATE undo_rows AS u SET after = (SELECT `+t.Dialect.image(ut)+` FROM `+ut.Table+` t WHERE t.id = u.row_id)
			WHERE u.import_id = $1 AND u.kind = $2 AND `+t.Dialect.In("u.row_id", "$3"), importID, kind, t.Dialect.List(ids)); err != nil {
			return fmt.Errorf("record %s after images: %w", kind, err)
		}
	}
	created := make([]string, len(store.UndoTables))
	for i, ut := range store.UndoTables {
		created[i] = fmt.Sprintf("SELECT CAST(%d AS bigint), %d, '%s', t.id, %d, %s FROM %s t WHERE t.tenant_id = %d AND t.id > %d",
			importID, seq, ut.Kind, ut.Created, t.Dialect.image(ut), ut.Table, t.TenantID, marks[ut.Kind])
	}
	if _, err := t.Q.Exec(ctx, `INSERT INTO undo_rows (import_id, seq, kind, row_id, phase, after) `+
		strings.Join(created, " UNION ALL ")+` ON CONFLICT (import_id, kind, row_id) DO NOTHING`); err != nil {
		return fmt.Errorf("record created rows: %w", err)
	}
	return nil
}

const undoRowCols = `u.id, u.seq, u.kind, u.row_id, u.phase, u.before, u.after`

// scanUndoRow reads undoRowCols. Both drivers hand a JSON column (jsonb,
// or SQLite's text) over as its bytes; NULL is nil.
func scanUndoRow(r Row) (store.UndoRow, error) {
	var u store.UndoRow
	var before, after []byte
	if err := r.Scan(&u.ID, &u.Seq, &u.Kind, &u.RowID, &u.Phase, &before, &after); err != nil {
		return u, err
	}
	if before != nil {
		u.Before = json.RawMessage(before)
	}
	if after != nil {
		u.After = json.RawMessage(after)
	}
	return u, nil
}

// ChunkRows implements store.Recorder.
func (t *Tx) ChunkRows(ctx context.Context, importID int64, seq int) ([]store.UndoRow, error) {
	return t.undoRows(ctx, `u.import_id = $2 AND u.seq = $3 ORDER BY u.id`, importID, seq)
}

// NextUndoRows implements store.Undoer.
func (t *Tx) NextUndoRows(ctx context.Context, importID int64, limit int) ([]store.UndoRow, error) {
	return t.undoRows(ctx, `u.import_id = $2 AND NOT u.undone ORDER BY u.phase, u.id LIMIT $3`, importID, limit)
}

func (t *Tx) undoRows(ctx context.Context, where string, args ...any) ([]store.UndoRow, error) {
	rows, err := t.Q.Query(ctx, `SELECT `+undoRowCols+` FROM undo_rows u
		WHERE u.import_id IN (SELECT id FROM imports WHERE tenant_id = $1) AND `+where, append([]any{t.TenantID}, args...)...)
	out, err := collect(rows, err, scanUndoRow)
	if err != nil {
		return nil, fmt.Errorf("read undo rows: %w", err)
	}
	return out, nil
}

// UndoSize implements store.Undoer.
func (t *Tx) UndoSize(ctx context.Context, importID int64) (int, error) {
	var n int
	if err := t.Q.QueryRow(ctx, `SELECT count(*) FROM undo_rows WHERE import_id = $1`, importID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count undo rows: %w", err)
	}
	return n, nil
}

// CurrentImages implements store.Undoer.
func (t *Tx) CurrentImages(ctx context.Context, kind string, ids []int64) (map[int64]json.RawMessage, error) {
	ut, err := undoTable(kind)
	if err != nil {
		return nil, err
	}
	rows, err := t.Q.Query(ctx, `SELECT t.id, `+t.Dialect.image(ut)+` FROM `+ut.Table+` t
		WHERE t.tenant_id = $1 AND `+t.Dialect.In("t.id", "$2"), t.TenantID, t.Dialect.List(ids))
	if err != nil {
		return nil, fmt.Errorf("read current %s images: %w", kind, err)
	}
	defer rows.Close()
	out := map[int64]json.RawMessage{}
	for rows.Next() {
		var id int64
		var img []byte
		if err := rows.Scan(&id, &img); err != nil {
			return nil, fmt.Errorf("read current %s images: %w", kind, err)
		}
		out[id] = json.RawMessage(img)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read current %s images: %w", kind, err)
	}
	return out, nil
}

// MarkUndone implements store.Undoer.
func (t *Tx) MarkUndone(ctx context.Context, ids []int64) error {
	_, err := t.Q.Exec(ctx, `UPDATE undo_rows SET undone = true WHERE `+t.Dialect.In("id", "$1")+`
		AND import_id IN (SELECT id FROM imports WHERE tenant_id = $2)`, t.Dialect.List(ids), t.TenantID)
	if err != nil {
		return fmt.Errorf("mark undone: %w", err)
	}
	return nil
}

// UndoRows implements store.ChangeReader.
func (db *DB) UndoRows(ctx context.Context, tenantID, importID, after int64, limit int) ([]store.UndoRow, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+undoRowCols+` FROM undo_rows u JOIN imports i ON i.id = u.import_id
		WHERE i.tenant_id = $1 AND u.import_id = $2 AND u.id > $3 ORDER BY u.id LIMIT $4`, tenantID, importID, after, limit)
	out, err := collect(rows, err, scanUndoRow)
	if err != nil {
		return nil, fmt.Errorf("page undo rows: %w", err)
	}
	return out, nil
}
