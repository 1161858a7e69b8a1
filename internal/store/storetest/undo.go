package storetest

import (
	"context"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testUndoRecording: what a chunk records (before images, after images,
// its creations) restores an update, removes a creation, reads back
// tenant-scoped, and a change set lists and sums with its filters.
func testUndoRecording(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	ann := &intake.Contact{Email: "ann@x.nl", City: "Utrecht", Tags: []string{"vip"}}
	insert(t, s, a.ID, ann)
	im := &intake.Import{TenantID: a.ID, Status: intake.StatusRunning, Format: "csv", Spec: intake.DefaultSpec()}
	if err := store.CreateImport(ctx, s, im); err != nil {
		t.Fatal(err)
	}
	recordChunk(t, s, a.ID, im.ID, ann)

	rows, err := s.(store.ChangeReader).UndoRows(ctx, a.ID, im.ID, 0, 10)
	if err != nil || len(rows) != 2 {
		t.Fatalf("undo rows %+v, %v; want an update and a creation", rows, err)
	}
	upd, created := rows[0], rows[1]
	if upd.RowID != ann.ID || upd.Before == nil || upd.After == nil || created.Before != nil || created.After == nil {
		t.Fatalf("recorded %+v and %+v", upd, created)
	}
	if other, err := s.(store.ChangeReader).UndoRows(ctx, b.ID, im.ID, 0, 10); err != nil || len(other) != 0 {
		t.Fatalf("another tenant reads %d undo rows (%v)", len(other), err)
	}
	err = s.Write(ctx, a.ID, func(tx store.Tx) error {
		u := tx.(store.Undoer)
		if err := u.Restore(ctx, store.UndoContact, []int64{upd.ID}); err != nil {
			return err
		}
		if n, err := u.RemoveCreated(ctx, store.UndoContact, []int64{created.ID}, false); err != nil || n != 1 {
			t.Errorf("removed %d (%v), want 1", n, err)
		}
		return u.MarkUndone(ctx, []int64{upd.ID, created.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetContact(ctx, a.ID, ann.ID)
	if err != nil || got.City != "Utrecht" || len(got.Tags) != 1 || got.Tags[0] != "vip" {
		t.Fatalf("restored %+v, %v", got, err)
	}
	if cs, _ := s.ListContacts(ctx, a.ID, store.ContactFilter{Email: "new@x.nl", Limit: 1}); len(cs) != 0 {
		t.Fatal("the chunk's creation is still there")
	}
	err = s.Write(ctx, a.ID, func(tx store.Tx) error {
		left, err := tx.(store.Undoer).NextUndoRows(ctx, im.ID, 10)
		if err == nil && len(left) != 0 {
			t.Errorf("%d undo rows left after MarkUndone", len(left))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	testChangeSet(t, s, a.ID, b.ID, im.ID)
}

// recordChunk writes one chunk as the engine records it: marks, the
// update's before image, the writes, then after images and creations.
func recordChunk(t *testing.T, s store.Store, tenant, importID int64, ann *intake.Contact) {
	t.Helper()
	ctx := context.Background()
	err := s.Write(ctx, tenant, func(tx store.Tx) error {
		rec := tx.(store.Recorder)
		marks, err := rec.UndoMarks(ctx)
		if err != nil {
			return err
		}
		if err := rec.RecordBefore(ctx, importID, 0, store.UndoContact, "id", []int64{ann.ID}, marks[store.UndoContact]); err != nil {
			return err
		}
		changed := *ann
		changed.City, changed.Tags = "Leiden", []string{"gold", "vip"}
		if err := tx.UpdateContacts(ctx, []*intake.Contact{&changed}); err != nil {
			return err
		}
		if err := tx.InsertContacts(ctx, []*intake.Contact{{Email: "new@x.nl"}}); err != nil {
			return err
		}
		return rec.RecordAfter(ctx, importID, 0, marks, map[string][]int64{store.UndoContact: {ann.ID}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testChangeSet: a stored change set pages by outcome and field, sums per
// field, and is the tenant's only.
func testChangeSet(t *testing.T, s store.Store, tenant, other, importID int64) {
	t.Helper()
	ctx := context.Background()
	err := s.Write(ctx, tenant, func(tx store.Tx) error {
		return tx.(store.Recorder).SaveChanges(ctx, importID, []store.Change{
			{Row: 2, Outcome: "updated", RecordID: 1, Changes: []store.FieldChange{{Field: "city", Before: "Utrecht", After: ""}, {Field: "first_name", Before: "A", After: "B"}}},
			{Row: 3, Outcome: "created", Changes: []store.FieldChange{{Field: "email", After: "new@x.nl"}}},
			{Row: 4, Outcome: "unchanged"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	r := s.(store.ChangeReader)
	city, err := r.ListChanges(ctx, tenant, importID, store.ChangeFilter{Limit: 10, Field: "city"})
	if err != nil || len(city) != 1 || city[0].Row != 2 || len(city[0].Changes) != 2 || city[0].Changes[0].Before != "Utrecht" {
		t.Fatalf("rows changing city %+v, %v", city, err)
	}
	if created, err := r.ListChanges(ctx, tenant, importID, store.ChangeFilter{Limit: 10, Outcome: "created"}); err != nil || len(created) != 1 || created[0].Row != 3 {
		t.Fatalf("created rows %+v, %v", created, err)
	}
	page, err := r.ListChanges(ctx, tenant, importID, store.ChangeFilter{Limit: 2})
	if err != nil || len(page) != 2 {
		t.Fatalf("first page %+v, %v", page, err)
	}
	if rest, err := r.ListChanges(ctx, tenant, importID, store.ChangeFilter{Limit: 10, After: page[1].ID}); err != nil || len(rest) != 1 || rest[0].Row != 4 {
		t.Fatalf("next page %+v, %v", rest, err)
	}
	sum, err := r.ChangeSummary(ctx, tenant, importID)
	if err != nil || sum.Outcomes["updated"] != 1 || sum.Outcomes["created"] != 1 || sum.Outcomes["unchanged"] != 1 ||
		sum.Fields["city"] != (store.FieldCount{Cleared: 1}) || sum.Fields["first_name"] != (store.FieldCount{Changed: 1}) || len(sum.Fields) != 2 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	if theirs, err := r.ListChanges(ctx, other, importID, store.ChangeFilter{Limit: 10}); err != nil || len(theirs) != 0 {
		t.Fatalf("another tenant lists %d changes (%v)", len(theirs), err)
	}
}
