package imports

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/selection"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// capture is a Followups that keeps what an import's transactions hand it,
// and rebuilds the selections as the webhook service does (in the
// transaction that ends the import).
type capture struct {
	mu    sync.Mutex
	recs  []intake.EventRecord
	ended []intake.Import
}

func (c *capture) Records(_ context.Context, _ store.FollowupTx, _ *intake.Import, recs []intake.EventRecord) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, recs...)
	return nil
}

func (c *capture) ImportEnded(ctx context.Context, tx store.FollowupTx, im intake.Import) error {
	c.mu.Lock()
	c.ended = append(c.ended, im)
	c.mu.Unlock()
	if im.Status == intake.StatusCompleted && im.Spec.Rebuild {
		return tx.RebuildSelections(ctx)
	}
	return nil
}

func bulkRecords(rows ...map[string]string) []importer.Record {
	out := make([]importer.Record, len(rows))
	for i, r := range rows {
		out[i] = importer.Record{Fields: r}
	}
	return out
}

// TestBulkUpsertIsRecordedAndUndone: a bulk upsert runs as a job of its
// own, its changes list before → after per record, its follow-ups see the
// same, a selection follows it with rebuild, and its undo restores the
// tenant exactly; another tenant can neither read its changes nor undo it.
func TestBulkUpsertIsRecordedAndUndone(t *testing.T) {
	t.Parallel()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := be.Open(t)
			b := setup(t, s)
			b.svc.Queue = enqueueOnly{}
			seedTenant(t, b)
			fu := &capture{}
			b.svc.Followups = fu
			sel, err := (&selection.Service{Store: s}).Create(ctx, b.tenant, "Leiden", map[string]string{"tag": "leiden"})
			if err != nil {
				t.Fatal(err)
			}
			if sel.Count != 0 {
				t.Fatalf("selection before: %d members", sel.Count)
			}
			before := dump(t, s, b.tenant)

			spec := intake.DefaultSpec()
			spec.Mode, spec.Followups, spec.Rebuild = intake.ModeUpsert, true, true
			done, err := b.svc.Bulk(ctx, b.tenant, nil, spec, bulkRecords(
				map[string]string{"email": "ann@x.nl", "city": "Leiden"},
				map[string]string{"email": "new@x.nl", "first_name": "New", "city": "Leiden", "tags": "leiden"}))
			if err != nil {
				t.Fatal(err)
			}
			im := done.Import
			if im.ID == 0 || im.Status != intake.StatusCompleted || im.Format != BulkFormat || im.Created != 1 || im.Updated != 1 {
				t.Fatalf("bulk job %+v", im)
			}
			checkBulkChanges(t, b, im.ID)
			checkBulkFollowups(t, fu, im.ID)
			if got, err := (&selection.Service{Store: s}).Get(ctx, b.tenant, sel.ID); err != nil || got.Count != 1 {
				t.Fatalf("selection after the bulk call with rebuild: %+v, %v; want 1 member", got, err)
			}

			other := otherTenant(t, s)
			if _, err := b.svc.Changes(ctx, other, im.ID, store.ChangeFilter{Limit: 10}); intake.ErrorCode(err) != intake.ENOTFOUND {
				t.Fatalf("another tenant's changes: %v", err)
			}
			if _, err := b.svc.Undo(ctx, other, im.ID, false); intake.ErrorCode(err) != intake.ENOTFOUND {
				t.Fatalf("another tenant's undo: %v", err)
			}

			u := undo(t, b, im.ID, false)
			if u.Status != intake.StatusCompleted || u.Skipped != 0 || u.Updated != 1 || u.Deleted != 1 {
				t.Fatalf("undo %+v", u)
			}
			if after := dump(t, s, b.tenant); after != before {
				t.Fatalf("after the undo the tenant is not as before:\n%s", lineDiff(before, after))
			}
		})
	}
}

func otherTenant(t *testing.T, s store.Store) int64 {
	t.Helper()
	tn, err := s.EnsureTenant(context.Background(), "other-"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// checkBulkChanges: the finished bulk job's changes, from its undo
// records, with the filters and the summary.
func checkBulkChanges(t *testing.T, b *bundle, id int64) {
	t.Helper()
	ctx := context.Background()
	all, err := b.svc.Changes(ctx, b.tenant, id, store.ChangeFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if all.Summary.Outcomes["created"] != 1 || all.Summary.Outcomes["updated"] != 1 || all.Summary.Fields["city"].Changed != 1 {
		t.Fatalf("summary %+v", all.Summary)
	}
	upd, err := b.svc.Changes(ctx, b.tenant, id, store.ChangeFilter{Limit: 100, Outcome: "updated", Field: "city"})
	if err != nil {
		t.Fatal(err)
	}
	if len(upd.Data) != 1 || upd.Data[0].Kind != store.UndoContact || len(upd.Data[0].Changes) != 1 {
		t.Fatalf("updated rows %+v", upd.Data)
	}
	if c := upd.Data[0].Changes[0]; c.Field != "city" || c.Before != "Utrecht" || c.After != "Leiden" {
		t.Fatalf("city change %+v, want Utrecht → Leiden", c)
	}
	page, err := b.svc.Changes(ctx, b.tenant, id, store.ChangeFilter{Limit: 1})
	if err != nil || len(page.Data) != 1 || page.Next == 0 {
		t.Fatalf("first page %+v, %v: want one row and a cursor", page, err)
	}
	rest, err := b.svc.Changes(ctx, b.tenant, id, store.ChangeFilter{Limit: 100, After: page.Next})
	if err != nil || len(rest.Data) == 0 || rest.Data[0].ID <= page.Next {
		t.Fatalf("next page %+v, %v", rest, err)
	}
}

// checkBulkFollowups: the record events carry before → after, and the job
// ended through the follow-ups.
func checkBulkFollowups(t *testing.T, fu *capture, id int64) {
	t.Helper()
	fu.mu.Lock()
	defer fu.mu.Unlock()
	var updated *intake.EventRecord
	for i, r := range fu.recs {
		if r.Outcome == intake.OutcomeUpdated {
			updated = &fu.recs[i]
		}
	}
	if updated == nil || len(fu.recs) != 2 {
		t.Fatalf("record events %+v", fu.recs)
	}
	if len(updated.Changes) != 1 || updated.Changes[0].Field != "city" || updated.Changes[0].Before != "Utrecht" || updated.Changes[0].After != "Leiden" {
		t.Fatalf("contact.updated changes %+v, want city Utrecht → Leiden", updated.Changes)
	}
	if len(fu.ended) != 1 || fu.ended[0].ID != id || fu.ended[0].Status != intake.StatusCompleted {
		t.Fatalf("ended %+v", fu.ended)
	}
}

// TestRecordEventsCarryChanges: with follow-ups on, a participant's update
// carries its status before → after, and a deleted contact its last values
// → null, read off the import's undo images (recording on or off).
func TestRecordEventsCarryChanges(t *testing.T) {
	t.Parallel()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{}
			seedTenant(t, b)
			if err := b.store.SaveSettings(ctx, b.tenant, intake.Settings{UndoDisabled: true}); err != nil {
				t.Fatal(err)
			}
			fu := &capture{}
			b.svc.Followups = fu
			runJob(t, b, "email,status\nann@x.nl,attended\n", func(im *intake.Import) {
				participants(im)
				im.Spec.Mode, im.Spec.Followups = intake.ModeUpsert, true
			})
			runJob(t, b, "email\ncee@x.nl\n", func(im *intake.Import) { im.Spec.Mode, im.Spec.Followups = intake.ModeDelete, true })
			fu.mu.Lock()
			defer fu.mu.Unlock()
			if len(fu.recs) != 2 {
				t.Fatalf("record events %+v", fu.recs)
			}
			upd, del := fu.recs[0], fu.recs[1]
			if upd.Outcome != intake.OutcomeUpdated || len(upd.Changes) != 1 || upd.Changes[0] != (intake.EventField{Field: "status", Before: "registered", After: "attended"}) {
				t.Fatalf("participant update %+v", upd)
			}
			if del.Outcome != intake.OutcomeDeleted || !slices.Contains(del.Changes, intake.EventField{Field: "city", Before: "Gouda"}) {
				t.Fatalf("contact delete %+v", del)
			}
		})
	}
}

// TestBulkValidateKeepsItsChangeSet: a bulk call in mode validate writes
// nothing, keeps its change set under its job, and cannot be started (its
// records were never stored).
func TestBulkValidateKeepsItsChangeSet(t *testing.T) {
	t.Parallel()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{}
			seedTenant(t, b)
			before := dump(t, b.store, b.tenant)
			spec := intake.DefaultSpec()
			spec.Mode = intake.ModeValidate
			done, err := b.svc.Bulk(ctx, b.tenant, nil, spec, bulkRecords(map[string]string{"email": "ann@x.nl", "city": "Leiden"}))
			if err != nil {
				t.Fatal(err)
			}
			if done.Import.Status != intake.StatusPreviewed || dump(t, b.store, b.tenant) != before {
				t.Fatalf("validate bulk job %+v wrote, or did not end previewed", done.Import)
			}
			page, err := b.svc.Changes(ctx, b.tenant, done.Import.ID, store.ChangeFilter{Limit: 10, Field: "city"})
			if err != nil || len(page.Data) != 1 || page.Data[0].Changes[0] != (store.FieldChange{Field: "city", Before: "Utrecht", After: "Leiden"}) {
				t.Fatalf("changes %+v, %v", page.Data, err)
			}
			if _, err := b.svc.Start(ctx, b.tenant, done.Import.ID); intake.ErrorCode(err) != intake.ESTATE {
				t.Fatalf("start of a bulk preview: %v", err)
			}
		})
	}
}
