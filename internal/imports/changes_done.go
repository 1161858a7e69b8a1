package imports

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// What a finished import did, read off its undo records: per recorded
// row (a record the import created, changed or deleted) the outcome and
// each field's before → after. The undo rows do not know the file row, so
// an entry names its record (kind, record_id) instead; filters and the
// summary are applied here, over the rows in id order.

// undoPage is how many undo rows one read takes.
const undoPage = 1000

// doneChanges pages the changes import im made. ESTATE for an undo job.
func (s *Service) doneChanges(ctx context.Context, r store.ChangeReader, im intake.Import, f store.ChangeFilter) (Changes, error) {
	if im.Kind == intake.KindUndo {
		return Changes{}, intake.Errorf(intake.ESTATE, "Import %d is an undo; the changes of import %d are what it took back.", im.ID, im.UndoOf)
	}
	kind := resourceKind(im.Spec.Resource)
	out := Changes{Summary: store.ChangeSummary{Outcomes: map[string]int{}, Fields: map[string]store.FieldCount{}}}
	err := eachUndoRow(ctx, r, im, 0, func(u store.UndoRow) bool {
		c, ok := changeOf(kind, u)
		if ok {
			count(&out.Summary, c)
		}
		return true
	})
	if err != nil {
		return out, err
	}
	err = eachUndoRow(ctx, r, im, f.After, func(u store.UndoRow) bool {
		c, ok := changeOf(kind, u)
		if !ok || !matches(c, f) {
			return true
		}
		if len(out.Data) == f.Limit {
			out.Next = out.Data[len(out.Data)-1].ID
			return false
		}
		out.Data = append(out.Data, c)
		return true
	})
	return out, err
}

// eachUndoRow calls fn with import im's undo rows after id after, in id
// order, until fn returns false.
func eachUndoRow(ctx context.Context, r store.ChangeReader, im intake.Import, after int64, fn func(store.UndoRow) bool) error {
	for {
		rows, err := r.UndoRows(ctx, im.TenantID, im.ID, after, undoPage)
		if err != nil {
			return fmt.Errorf("changes of import %d: %w", im.ID, err)
		}
		for _, u := range rows {
			if !fn(u) {
				return nil
			}
		}
		if len(rows) < undoPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// changeOf is undo row u as a change: created (no before image), deleted
// (no after image), updated or unchanged. Shared rows (groups, fields, …)
// an import of another resource made along the way are not its records.
func changeOf(kind string, u store.UndoRow) (store.Change, bool) {
	if ut, ok := store.UndoTableOf(u.Kind); !ok || (ut.Shared && u.Kind != kind) {
		return store.Change{}, false
	}
	c := store.Change{ID: u.ID, Kind: u.Kind, RecordID: u.RowID, Changes: importer.DiffBounded(u.Before, u.After)}
	switch {
	case u.Before == nil:
		c.Outcome = string(intake.OutcomeCreated)
	case u.After == nil:
		c.Outcome = string(intake.OutcomeDeleted)
	case len(c.Changes) == 0:
		c.Outcome = "unchanged"
	default:
		c.Outcome = string(intake.OutcomeUpdated)
	}
	return c, true
}

// matches applies the list's filters.
func matches(c store.Change, f store.ChangeFilter) bool {
	if f.Outcome != "" && c.Outcome != f.Outcome {
		return false
	}
	if f.Field == "" {
		return true
	}
	for _, fc := range c.Changes {
		if fc.Field == f.Field {
			return true
		}
	}
	return false
}

// count adds c to the summary: its outcome, and an update's fields
// (changed to a value, or cleared), as a preview's summary counts them.
func count(sum *store.ChangeSummary, c store.Change) {
	sum.Outcomes[c.Outcome]++
	if c.Outcome != string(intake.OutcomeUpdated) {
		return
	}
	for _, fc := range c.Changes {
		n := sum.Fields[fc.Field]
		if fc.After == nil || fc.After == "" {
			n.Cleared++
		} else {
			n.Changed++
		}
		sum.Fields[fc.Field] = n
	}
}

// resourceKind is the undo kind of a resource's records.
func resourceKind(resource string) string {
	switch resource {
	case intake.ResourceParticipants:
		return store.UndoParticipant
	case intake.ResourceGroups:
		return store.UndoGroup
	case "", intake.ResourceContacts:
		return store.UndoContact
	}
	return store.UndoRecord // a collection's
}
