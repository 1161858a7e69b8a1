package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/intake/intake/internal/store"
)

// chosen selects the undo rows of one call: its ids parameter unnested.
const chosen = `SELECT u.* FROM undo_rows u WHERE u.id IN (SELECT value FROM json_each(?))`

// Restore implements store.Undoer: existing rows get their before image
// (updated_at is now: the restore is a change), missing ones are inserted
// with their old id, and every membership list becomes the image's,
// leaving out members that no longer exist.
func (t *tx) Restore(ctx context.Context, kind string, ids []int64) error {
	ut, err := undoTable(kind)
	if err != nil {
		return err
	}
	idsJSON := store.IDsJSON(ids)
	sets := make([]string, 0, len(ut.Columns))
	cols := make([]string, 0, len(ut.Columns))
	vals := make([]string, 0, len(ut.Columns))
	for _, c := range ut.Columns {
		v := "json_extract(u.before, '$." + c + "')"
		if c == "updated_at" {
			v = fmt.Sprint(micros(t.Now))
		}
		sets = append(sets, c+" = "+v)
		cols, vals = append(cols, c), append(vals, v)
	}
	stmts := []string{
		`UPDATE ` + ut.Table + ` SET ` + strings.Join(sets, ", ") + ` FROM (` + chosen + `) u
			WHERE ` + ut.Table + `.id = u.row_id AND ` + ut.Table + `.tenant_id = ? AND u.before IS NOT NULL`,
		`INSERT INTO ` + ut.Table + ` (id, tenant_id, ` + strings.Join(cols, ", ") + `)
			SELECT u.row_id, ?, ` + strings.Join(vals, ", ") + ` FROM (` + chosen + `) u
			WHERE u.before IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ` + ut.Table + ` x WHERE x.id = u.row_id)`,
	}
	args := [][]any{{idsJSON, t.TenantID}, {t.TenantID, idsJSON}}
	for _, s := range ut.Sets {
		stmts = append(stmts,
			`DELETE FROM `+s.Table+` WHERE `+s.Own+` IN (SELECT row_id FROM (`+chosen+`) u WHERE u.before IS NOT NULL)
				AND NOT EXISTS (SELECT 1 FROM (`+chosen+`) u, json_each(u.before, '$.`+s.Key+`') j
					WHERE u.row_id = `+s.Table+`.`+s.Own+` AND j.value = `+s.Table+`.`+s.Other+`)`,
			`INSERT OR IGNORE INTO `+s.Table+` (`+s.Own+`, `+s.Other+`)
				SELECT u.row_id, j.value FROM (`+chosen+`) u, json_each(u.before, '$.`+s.Key+`') j
				WHERE EXISTS (SELECT 1 FROM `+s.Others+` o WHERE o.id = j.value AND o.tenant_id = ?)`)
		args = append(args, []any{idsJSON, idsJSON}, []any{idsJSON, t.TenantID})
	}
	for i, q := range stmts {
		if _, err := t.tx.ExecContext(ctx, q, args[i]...); err != nil {
			return fmt.Errorf("restore %s rows: %w", kind, err)
		}
	}
	return nil
}

// unused is the condition under which a shared row the import created
// (aliased x) may go: nothing refers to it any more.
var unused = map[string]string{
	store.UndoGroup: `NOT EXISTS (SELECT 1 FROM contact_groups m WHERE m.group_id = x.id)
		AND NOT EXISTS (SELECT 1 FROM group_locations m WHERE m.group_id = x.id)`,
	store.UndoLocation: `NOT EXISTS (SELECT 1 FROM contact_locations m WHERE m.location_id = x.id)
		AND NOT EXISTS (SELECT 1 FROM group_locations m WHERE m.location_id = x.id)
		AND NOT EXISTS (SELECT 1 FROM groups m WHERE m.location_id = x.id)`,
	store.UndoCollection: `NOT EXISTS (SELECT 1 FROM collection_records m WHERE m.collection_id = x.id)`,
	store.UndoField: `NOT EXISTS (SELECT 1 FROM contacts m, json_each(m.custom) j WHERE m.tenant_id = x.tenant_id AND j.key = x.name)
		AND NOT EXISTS (SELECT 1 FROM participants m, json_each(m.custom) j WHERE m.tenant_id = x.tenant_id AND j.key = x.name)`,
}

// RemoveCreated implements store.Undoer.
func (t *tx) RemoveCreated(ctx context.Context, kind string, ids []int64, ifUnused bool) (int64, error) {
	ut, err := undoTable(kind)
	if err != nil {
		return 0, err
	}
	cond := "1 = 1"
	if c, ok := unused[kind]; ok && ifUnused {
		cond = c
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM `+ut.Table+` AS x WHERE x.tenant_id = ?
		AND x.id IN (SELECT row_id FROM (`+chosen+`) u WHERE u.before IS NULL) AND `+cond, t.TenantID, store.IDsJSON(ids))
	if err != nil {
		return 0, fmt.Errorf("remove created %s rows: %w", kind, err)
	}
	return res.RowsAffected()
}
