package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// What an import changes is recorded for its undo and its preview, in each
// chunk's own transaction and set-based: the store keeps the before image
// of the rows a batch call is about to update or delete (one INSERT …
// SELECT per call, see recording), and after the chunk the rows it created
// and the after image of every row it touched (two statements). A preview
// writes the chunk inside a savepoint, reads the images back as its change
// set and rolls the writes back.

// errPreviewed rolls a preview's savepoint back.
var errPreviewed = errors.New("previewed: roll back")

// setupRecording decides whether the run records: a file job (an import
// id) of a tenant that has not turned recording off, or any preview.
func (p *pass) setupRecording(ctx context.Context, opt Options) error {
	if opt.ImportID == 0 {
		return nil
	}
	p.preview = p.spec.Previews()
	p.previewed = opt.Previewed
	s, err := p.e.Store.Settings(ctx, p.tenantID)
	if err != nil {
		return fmt.Errorf("read tenant settings: %w", err)
	}
	// Record events carry before → after, read off the images: a run
	// with follow-ups records even when the tenant turned recording off.
	p.changes = p.spec.Followups && !p.preview
	p.record = !s.UndoDisabled || p.preview || p.previewed || p.changes
	return nil
}

// applyChunk applies a chunk (apply, then finish, which gets the counts
// including the chunk) and returns its items with the removed ones. When
// the run records it records the chunk under seq; previewing, it writes
// only inside a savepoint it rolls back, keeping the change set instead.
func (p *pass) applyChunk(ctx context.Context, tx store.Tx, items []*Item, seq int, done Counts, fast *bool) ([]*Item, error) {
	run := func(tx store.Tx) error {
		if err := p.apply(ctx, tx, items, fast); err != nil {
			return err
		}
		counts := done
		counts.add(items)
		var err error
		items, err = p.finish(ctx, tx, items, counts)
		return err
	}
	rec, ok := tx.(store.Recorder)
	if !p.record || !ok {
		return items, run(tx)
	}
	recorded := func() error {
		marks, err := rec.UndoMarks(ctx)
		if err != nil {
			return err
		}
		r := &recording{Tx: tx, rec: rec, importID: p.importID, seq: seq, marks: marks}
		if err := run(r); err != nil {
			return err
		}
		return rec.RecordAfter(ctx, p.importID, seq, marks, r.touched)
	}
	if !p.preview {
		if err := recorded(); err != nil {
			return items, err
		}
		if err := p.attachChanges(ctx, rec, items, seq); err != nil {
			return items, err
		}
		return items, p.compareWithPreview(ctx, rec, items, seq)
	}
	var rows []store.UndoRow
	err := tx.Savepoint(ctx, func() error {
		if err := recorded(); err != nil {
			return err
		}
		var err error
		if rows, err = rec.ChunkRows(ctx, p.importID, seq); err != nil {
			return err
		}
		return errPreviewed
	})
	if !errors.Is(err, errPreviewed) {
		return items, err
	}
	cs := changeSet(p.kind(), items, rows)
	for _, it := range items {
		if it.Outcome == intake.OutcomeCreated {
			it.ID = 0 // rolled back: the preview created nothing
		}
	}
	return items, rec.SaveChanges(ctx, p.importID, cs)
}

// kind is the undo kind of the run's records.
func (p *pass) kind() string {
	switch {
	case isCollection(p.spec.Resource):
		return store.UndoRecord
	case p.spec.Resource == intake.ResourceParticipants:
		return store.UndoParticipant
	case p.spec.Resource == intake.ResourceGroups:
		return store.UndoGroup
	}
	return store.UndoContact
}

// recording is a chunk's Tx that keeps the before images of what its batch
// calls update or delete, one statement per call.
type recording struct {
	store.Tx
	rec      store.Recorder
	importID int64
	seq      int
	// touched are the rows (by id) recorded before this chunk wrote: only
	// their after images need reading back. Rows recorded by their
	// contact are deleted with it: their after image is none.
	touched map[string][]int64
	marks   store.UndoMarks
}

func (r *recording) before(ctx context.Context, kind, by string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if by == "id" {
		if r.touched == nil {
			r.touched = map[string][]int64{}
		}
		r.touched[kind] = append(r.touched[kind], ids...)
	}
	return r.rec.RecordBefore(ctx, r.importID, r.seq, kind, by, ids, r.marks[kind])
}

func (r *recording) UpdateContacts(ctx context.Context, cs []*intake.Contact) error {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	if err := r.before(ctx, store.UndoContact, "id", ids); err != nil {
		return err
	}
	return r.Tx.UpdateContacts(ctx, cs)
}

// DeleteContacts keeps the contacts' participants and records too: the
// delete takes them with it.
func (r *recording) DeleteContacts(ctx context.Context, ids []int64) error {
	for _, k := range []struct{ kind, by string }{{store.UndoContact, "id"}, {store.UndoParticipant, "contact_id"}, {store.UndoRecord, "contact_id"}} {
		if err := r.before(ctx, k.kind, k.by, ids); err != nil {
			return err
		}
	}
	return r.Tx.DeleteContacts(ctx, ids)
}

func (r *recording) UpdateParticipants(ctx context.Context, ps []*intake.Participant) error {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	if err := r.before(ctx, store.UndoParticipant, "id", ids); err != nil {
		return err
	}
	return r.Tx.UpdateParticipants(ctx, ps)
}

func (r *recording) DeleteParticipants(ctx context.Context, ids []int64) error {
	if err := r.before(ctx, store.UndoParticipant, "id", ids); err != nil {
		return err
	}
	return r.Tx.DeleteParticipants(ctx, ids)
}

func (r *recording) UpdateRecords(ctx context.Context, rs []*intake.CollectionRecord) error {
	ids := make([]int64, len(rs))
	for i, rc := range rs {
		ids[i] = rc.ID
	}
	if err := r.before(ctx, store.UndoRecord, "id", ids); err != nil {
		return err
	}
	return r.Tx.UpdateRecords(ctx, rs)
}

func (r *recording) DeleteRecords(ctx context.Context, ids []int64) (int64, error) {
	if err := r.before(ctx, store.UndoRecord, "id", ids); err != nil {
		return 0, err
	}
	return r.Tx.DeleteRecords(ctx, ids)
}

func (r *recording) UpdateGroups(ctx context.Context, gs []*intake.Group, replace bool) error {
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	if err := r.before(ctx, store.UndoGroup, "id", ids); err != nil {
		return err
	}
	return r.Tx.UpdateGroups(ctx, gs, replace)
}

func (r *recording) DeleteGroups(ctx context.Context, ids []int64) (int64, error) {
	if err := r.before(ctx, store.UndoGroup, "id", ids); err != nil {
		return 0, err
	}
	return r.Tx.DeleteGroups(ctx, ids)
}

func (r *recording) SaveCollection(ctx context.Context, c *intake.Collection) error {
	if c.ID != 0 {
		if err := r.before(ctx, store.UndoCollection, "id", []int64{c.ID}); err != nil {
			return err
		}
	}
	return r.Tx.SaveCollection(ctx, c)
}

func (r *recording) SaveField(ctx context.Context, f *intake.CustomField) error {
	if f.ID != 0 {
		if err := r.before(ctx, store.UndoField, "id", []int64{f.ID}); err != nil {
			return err
		}
	}
	return r.Tx.SaveField(ctx, f)
}
