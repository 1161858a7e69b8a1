package sqlstore

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
func (t *Tx) Restore(ctx context.Context, kind string, ids []int64) error {
	ut, err := undoTable(kind)
	if err != nil {
		return err
	}
	d := t.Dialect
	chosen := d.In("u.id", "$1")
	cols, from := d.Populate(ut.Table, "u.before", ut.Columns)
	src := `(SELECT u.row_id, ` + cols + ` FROM undo_rows u` + from + ` WHERE ` + chosen + ` AND u.before IS NOT NULL) s`
	sets := make([]string, 0, len(ut.Columns))
	vals := make([]string, 0, len(ut.Columns))
	for _, c := range ut.Columns {
		v := "s." + c
		if c == "updated_at" {
			v = "$3"
		}
		sets, vals = append(sets, c+" = "+v), append(vals, v)
	}
	list, now := d.List(ids), t.now()
	stmts := []string{
		`UPDATE ` + ut.Table + ` SET ` + strings.Join(sets, ", ") + ` FROM ` + src + `
			WHERE ` + ut.Table + `.id = s.row_id AND ` + ut.Table + `.tenant_id = $2`,
		`INSERT INTO ` + ut.Table + ` (id, tenant_id, ` + strings.Join(ut.Columns, ", ") + `)
			SELECT s.row_id, $2, ` + strings.Join(vals, ", ") + ` FROM ` + src + `
			WHERE NOT EXISTS (SELECT 1 FROM ` + ut.Table + ` x WHERE x.id = s.row_id)`,
	}
	args := [][]any{{list, t.TenantID, now}, {list, t.TenantID, now}}
	for _, s := range ut.Sets {
		member := `CAST(j.value AS bigint)`
		stmts = append(stmts,
			`DELETE FROM `+s.Table+` WHERE `+s.Own+` IN (SELECT u.row_id FROM undo_rows u WHERE `+chosen+` AND u.before IS NOT NULL)
				AND NOT EXISTS (SELECT 1 FROM undo_rows u, `+d.JSONElements("u.before", s.Key)+`
					WHERE `+chosen+` AND u.row_id = `+s.Table+`.`+s.Own+` AND `+member+` = `+s.Table+`.`+s.Other+`)`,
			`INSERT INTO `+s.Table+` (`+s.Own+`, `+s.Other+`)
				SELECT u.row_id, `+member+` FROM undo_rows u, `+d.JSONElements("u.before", s.Key)+`
				WHERE `+chosen+` AND EXISTS (SELECT 1 FROM `+s.Others+` o WHERE o.id = `+member+` AND o.tenant_id = $2)
				ON CONFLICT DO NOTHING`)
		args = append(args, []any{list}, []any{list, t.TenantID})
	}
	for i, q := range stmts {
		if _, err := t.Q.Exec(ctx, q, args[i]...); err != nil {
			return fmt.Errorf("restore %s rows: %w", kind, err)
		}
	}
	return nil
}

// unused is the condition under which a shared row the import created
// (aliased x) may go: nothing refers to it any more.
func (d *Dialect) unused(kind string) string {
	switch kind {
	case store.UndoGroup:
		return `NOT EXISTS (SELECT 1 FROM contact_groups m WHERE m.group_id = x.id)
			AND NOT EXISTS (SELECT 1 FROM group_locations m WHERE m.group_id = x.id)`
	case store.UndoLocation:
		return `NOT EXISTS (SELECT 1 FROM contact_locations m WHERE m.location_id = x.id)
			AND NOT EXISTS (SELECT 1 FROM group_locations m WHERE m.location_id = x.id)
			AND NOT EXISTS (SELECT 1 FROM groups m WHERE m.location_id = x.id)`
	case store.UndoCollection:
		return `NOT EXISTS (SELECT 1 FROM collection_records m WHERE m.collection_id = x.id)`
	case store.UndoField:
		return `NOT EXISTS (SELECT 1 FROM contacts m WHERE m.tenant_id = x.tenant_id AND ` + d.HasKey("m.custom", "x.name") + `)
			AND NOT EXISTS (SELECT 1 FROM participants m WHERE m.tenant_id = x.tenant_id AND ` + d.HasKey("m.custom", "x.name") + `)`
	}
	return "1 = 1"
}

// RemoveCreated implements store.Undoer.
func (t *Tx) RemoveCreated(ctx context.Context, kind string, ids []int64, ifUnused bool) (int64, error) {
	ut, err := undoTable(kind)
	if err != nil {
		return 0, err
	}
	cond := "1 = 1"
	if ifUnused {
		cond = t.Dialect.unused(kind)
	}
	n, err := t.Q.Exec(ctx, `DELETE FROM `+ut.Table+` AS x WHERE x.tenant_id = $1
		AND x.id IN (SELECT u.row_id FROM undo_rows u WHERE `+t.Dialect.In("u.id", "$2")+` AND u.before IS NULL) AND `+cond,
		t.TenantID, t.Dialect.List(ids))
	if err != nil {
		return 0, fmt.Errorf("remove created %s rows: %w", kind, err)
	}
	return n, nil
}
