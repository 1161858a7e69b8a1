package imports

import (
	"context"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// Followups is what follows changes, written in their own transaction so
// a crash neither loses it nor sends it for a change that rolled back
// (webhook.Service): the record events of a chunk of an import run with
// follow-ups on, and what follows a job's end (its import.* event, the
// selections rebuilt).
type Followups interface {
	Records(ctx context.Context, tx store.FollowupTx, im *intake.Import, recs []intake.EventRecord) error
	ImportEnded(ctx context.Context, tx store.FollowupTx, im intake.Import) error
}

// update changes a job as store.UpdateImport does and, when the change
// ends it, runs the Followups' ImportEnded in the same transaction.
func (s *Service) update(ctx context.Context, tenantID, id int64, fn func(*intake.Import) error) (intake.Import, error) {
	if s.Followups == nil {
		return store.UpdateImport(ctx, s.Store, tenantID, id, fn)
	}
	var im intake.Import
	err := s.Store.Jobs(ctx, tenantID, func(tx store.JobTx) error {
		var was intake.ImportStatus
		var err error
		im, err = tx.UpdateImport(ctx, id, func(cur *intake.Import) error {
			was = cur.Status
			return fn(cur)
		})
		if err != nil || was.Final() || !im.Status.Final() {
			return err
		}
		return s.Followups.ImportEnded(ctx, tx, im)
	})
	return im, err
}

// eventRecords are a chunk's written records as record events carry them.
func eventRecords(items []*importer.Item) []intake.EventRecord {
	var out []intake.EventRecord
	for _, it := range items {
		switch it.Outcome {
		case intake.OutcomeCreated, intake.OutcomeUpdated, intake.OutcomeDeleted, intake.OutcomeRemoved:
			out = append(out, intake.EventRecord{ID: it.ID, Row: it.Row, Outcome: it.Outcome, Values: it.Data, Changes: eventFields(it.Changes)})
		}
	}
	return out
}

// eventFields are an item's changes as a record event carries them.
func eventFields(cs []store.FieldChange) []intake.EventField {
	if len(cs) == 0 {
		return nil
	}
	out := make([]intake.EventField, len(cs))
	for i, c := range cs {
		out[i] = intake.EventField{Field: c.Field, Before: c.Before, After: c.After}
	}
	return out
}
