package imports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// CodeChangedSince is the report code of a record an undo left alone
// because something else changed it after the import.
const CodeChangedSince = "changed_since_import"

// undoer undoes one chunk of undo rows through a write transaction and
// counts what it did: created (brought back), updated (restored),
// deleted (removed), skipped (changed since, reported).
type undoer struct {
	u                         store.Undoer
	force                     bool
	row                       int // rows of the job before this chunk
	created, updated, deleted int
	skipped                   []intake.RowError
}

// chunk undoes rows, which come in phase order: each run of one kind and
// one action (remove what was created, restore what was changed) is one
// set-based call.
func (d *undoer) chunk(ctx context.Context, rows []store.UndoRow) error {
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && rows[end].Phase == rows[start].Phase && rows[end].Kind == rows[start].Kind &&
			(rows[end].Before == nil) == (rows[start].Before == nil) {
			end++
		}
		if err := d.run(ctx, rows[start:end], start); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// run undoes rows of one kind and action; offset is their place in the chunk.
func (d *undoer) run(ctx context.Context, rows []store.UndoRow, offset int) error {
	kind, created := rows[0].Kind, rows[0].Before == nil
	ut, _ := store.UndoTableOf(kind)
	rowIDs := make([]int64, len(rows))
	for i, r := range rows {
		rowIDs[i] = r.RowID
	}
	current, err := d.u.CurrentImages(ctx, kind, rowIDs)
	if err != nil {
		return err
	}
	var ok, used []int64
	existing := 0
	for i, r := range rows {
		now, exists := current[r.RowID]
		switch {
		case same(now, exists, r.After) || d.force:
			ok = append(ok, r.ID)
		case ut.Shared:
			used = append(used, r.ID) // changed since: goes only if unused
			continue
		default:
			d.skip(d.row+offset+i+1, r, now)
			continue
		}
		if exists {
			existing++
		}
	}
	if created {
		n, err := d.u.RemoveCreated(ctx, kind, ok, false)
		if err != nil || len(used) == 0 {
			d.deleted += int(n)
			return err
		}
		m, err := d.u.RemoveCreated(ctx, kind, used, true)
		d.deleted += int(n + m)
		return err
	}
	d.updated += existing
	d.created += len(ok) - existing
	if len(ok) == 0 {
		return nil
	}
	return d.u.Restore(ctx, kind, ok)
}

// same reports whether a row is as the import left it: its current image
// (exists false: gone) is the after image (nil: the import deleted it).
func same(now json.RawMessage, exists bool, after json.RawMessage) bool {
	if after == nil {
		return !exists
	}
	return exists && bytes.Equal(now, after)
}

// skip reports a row changed since the import, with both values.
func (d *undoer) skip(row int, r store.UndoRow, now json.RawMessage) {
	left, cur := "(deleted)", "(deleted)"
	if r.After != nil {
		left = string(r.After)
	}
	if now != nil {
		cur = string(now)
	}
	var fields []string
	for _, c := range importer.Diff(r.After, now) {
		fields = append(fields, fmt.Sprintf("%s: %s → %s", c.Field, show(c.Before), show(c.After)))
	}
	msg := fmt.Sprintf("The %s %d changed after the import, so it was not restored (force=true restores it).", r.Kind, r.RowID)
	if len(fields) > 0 {
		msg += fmt.Sprintf(" Since the import: %v.", fields)
	}
	d.skipped = append(d.skipped, intake.RowError{Row: row, Field: r.Kind, Value: strconv.FormatInt(r.RowID, 10),
		Code: CodeChangedSince, Message: msg, Outcome: intake.OutcomeSkipped,
		Values: []string{r.Kind, strconv.FormatInt(r.RowID, 10), left, cur}})
}

func show(v any) string {
	if v == nil {
		return "(empty)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
