package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/intake/intake/internal/store"
)

// Restore implements store.Undoer: existing rows get their before image
// (updated_at is now: the restore is a change), missing ones are inserted
// with their old id, and every membership list becomes the image's,
// leaving out members that no longer exist.
func (t *tx) Restore(ctx context.Context, kind string, ids []int64) error {
	ut, err := undoTable(kind)
	if err != nil {
		return err
	}
	src := `(SELECT u.row_id, r.* FROM undo_rows u, jsonb_populate_record(null::` + ut.Table + `, u.before) r
		WHERE u.id = ANY($1) AND u.before IS NOT NULL) s`
	sets := make([]string, 0, len(ut.Columns))
	vals := make([]string, 0, len(ut.Columns))
	for _, c := range ut.Columns {
		v := "s." + c
		if c == "updated_at" {
			v = "$3"
		}
		sets, vals = append(sets, c+" = "+v), append(vals, v)
	}
	stmts := []string{
		`UPDATE ` + ut.Table + ` SET ` + strings.Join(sets, ", ") + ` FROM ` + src + `
			WHERE ` + ut.Table + `.id = s.row_id AND ` + ut.Table + `.tenant_id = $2`,
		`INSERT INTO ` + ut.Table + ` (id, tenant_id, ` + strings.Join(ut.Columns, ", ") + `)
			SELECT s.row_id, $2, ` + strings.Join(vals, ", ") + ` FROM ` + src + `
			WHERE NOT EXISTS (SELECT 1 FROM ` + ut.Table + ` x WHERE x.id = s.row_id)`,
	}
	args := [][]any{{ids, t.TenantID, t.Now}, {ids, t.TenantID, t.Now}}
	for _, s := range ut.Sets {
		stmts = append(stmts,
			`DELETE FROM `+s.Table+` m WHERE m.`+s.Own+` IN (SELECT row_id FROM undo_rows WHERE id = ANY($1) AND before IS NOT NULL)
				AND NOT EXISTS (SELECT 1 FROM undo_rows u, jsonb_array_elements_text(u.before->'`+s.Key+`') j
					WHERE u.id = ANY($1) AND u.row_id = m.`+s.Own+` AND j::bigint = m.`+s.Other+`)`,
			`INSERT INTO `+s.Table+` (`+s.Own+`, `+s.Other+`)
				SELECT u.row_id, j::bigint FROM undo_rows u, jsonb_array_elements_text(u.before->'`+s.Key+`') j
				WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM `+s.Others+` o WHERE o.id = j::bigint AND o.tenant_id = $2)
				ON CONFLICT DO NOTHING`)
		args = append(args, []any{ids}, []any{ids, t.TenantID})
	}
	for i, q := range stmts {
		if _, err := t.tx.Exec(ctx, q, args[i]...); err != nil {
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
	store.UndoField: `NOT EXISTS (SELECT 1 FROM contacts m WHERE m.tenant_id = x.tenant_id AND m.custom ? x.name)
		AND NOT EXISTS (SELECT 1 FROM participants m WHERE m.tenant_id = x.tenant_id AND m.custom ? x.name)`,
}

// RemoveCreated implements store.Undoer.
func (t *tx) RemoveCreated(ctx context.Context, kind string, ids []int64, ifUnused bool) (int64, error) {
	ut, err := undoTable(kind)
	if err != nil {
		return 0, err
	}
	cond := "true"
	if c, ok := unused[kind]; ok && ifUnused {
		cond = c
	}
	tag, err := t.tx.Exec(ctx, `DELETE FROM `+ut.Table+` x WHERE x.tenant_id = $1
		AND x.id IN (SELECT row_id FROM undo_rows WHERE id = ANY($2) AND before IS NULL) AND `+cond, t.TenantID, ids)
	if err != nil {
		return 0, fmt.Errorf("remove created %s rows: %w", kind, err)
	}
	return tag.RowsAffected(), nil
}
