package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// undoHeaders are an undo job's report columns: a record it did not
// restore, what the import left and what it is now.
var undoHeaders = []string{"kind", "id", "after_import", "now"}

// Undo takes import id back as a job of its own (kind undo, run by the
// queue like an import, resumable from its checkpoint). A second undo of the
// same import answers the first one's job. force restores records changed
// since the import too.
//
// Errors: ENOTFOUND when the import is not the tenant's; ESTATE when it
// has not ended, is a preview or an undo itself; EGONE when its undo
// window has passed.
func (s *Service) Undo(ctx context.Context, tenantID, id int64, force bool) (intake.Import, error) {
	set, err := s.Store.Settings(ctx, tenantID)
	if err != nil {
		return intake.Import{}, err
	}
	var undo intake.Import
	err = s.Store.Jobs(ctx, tenantID, func(tx store.JobTx) error {
		fresh := false
		target, err := tx.UpdateImport(ctx, id, func(im *intake.Import) error {
			if im.UndoID != 0 {
				return nil
			}
			if err := s.undoable(im, set); err != nil {
				return err
			}
			undo = intake.Import{TenantID: tenantID, Kind: intake.KindUndo, UndoOf: im.ID, Force: force, Status: intake.StatusQueued,
				Format: intake.KindUndo, FileName: im.FileName, Headers: undoHeaders, Spec: intake.ImportSpec{Resource: im.Spec.Resource, Mode: im.Spec.Mode}}
			if err := tx.CreateImport(ctx, &undo); err != nil {
				return err
			}
			im.UndoID, fresh = undo.ID, true
			return nil
		})
		if err != nil || !fresh {
			undo.ID = target.UndoID
			return err
		}
		return s.Queue.EnqueueTx(ctx, tx, tenantID, undo.ID)
	})
	if err != nil {
		return intake.Import{}, err
	}
	return s.Get(ctx, tenantID, undo.ID)
}

// undoable says why im cannot be undone, or nil.
func (s *Service) undoable(im *intake.Import, set intake.Settings) error {
	switch {
	case im.Kind == intake.KindUndo:
		return intake.Errorf(intake.ESTATE, "Import %d is an undo; import it again instead of undoing it.", im.ID)
	case im.Status == intake.StatusPreviewed:
		return intake.Errorf(intake.ESTATE, "Import %d is a preview: it wrote nothing to undo.", im.ID)
	case !im.Status.Final() || im.FinishedAt == nil:
		return intake.Errorf(intake.ESTATE, "Import %d is %s; it can be undone once it has ended.", im.ID, im.Status)
	}
	days := set.UndoDays
	if days <= 0 {
		days = intake.DefaultUndoDays
	}
	window := min(time.Duration(days)*24*time.Hour, s.retention())
	if s.clock().After(im.FinishedAt.Add(window)) {
		return intake.Errorf(intake.EGONE, "Import %d ended on %s: imports can be undone for %d days.", im.ID, im.FinishedAt.Format(time.DateOnly), days)
	}
	return nil
}

// runUndo runs (or resumes) a running undo job: chunk by chunk, each in
// one write transaction with the job's checkpoint, until every undo row
// of the import is done; then the import is marked undone.
func (s *Service) runUndo(ctx context.Context, im intake.Import) error {
	for {
		next, done, err := s.undoChunk(ctx, im)
		switch code := intake.ErrorCode(err); {
		case code == intake.ESTATE:
			return nil // cancelled, or another worker moved on
		case err != nil:
			return fmt.Errorf("undo %d: %w", im.ID, err)
		case done:
			return s.finishUndo(ctx, next)
		}
		im = next
	}
}

// undoChunk undoes the next chunk of rows and checkpoints it; done when
// there was none left.
func (s *Service) undoChunk(ctx context.Context, im intake.Import) (intake.Import, bool, error) {
	next, done := im, false
	err := s.Store.Write(ctx, im.TenantID, func(tx store.Tx) error {
		u, ok := tx.(store.Undoer)
		if !ok {
			return fmt.Errorf("the store cannot undo")
		}
		if next.TotalRows == 0 && next.ProcessedRows == 0 {
			n, err := u.UndoSize(ctx, im.UndoOf)
			if err != nil {
				return err
			}
			next.TotalRows = n
		}
		rows, err := u.NextUndoRows(ctx, im.UndoOf, s.undoChunkSize())
		if err != nil || len(rows) == 0 {
			done = err == nil
			return err
		}
		u2 := undoer{u: u, force: im.Force, row: im.ProcessedRows}
		if err := u2.chunk(ctx, rows); err != nil {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		if err := u.MarkUndone(ctx, ids); err != nil {
			return err
		}
		next.ProcessedRows += len(rows)
		next.Created, next.Updated, next.Deleted = next.Created+u2.created, next.Updated+u2.updated, next.Deleted+u2.deleted
		next.Skipped += len(u2.skipped)
		next.ErrorsStored += len(u2.skipped)
		return tx.SaveImportProgress(ctx, &next, im.ProcessedRows, u2.skipped)
	})
	return next, done, err
}

// undoChunkSize is the engine's chunk size: an undo commits as often as an
// import does.
func (s *Service) undoChunkSize() int {
	if s.Engine.ChunkSize > 0 {
		return s.Engine.ChunkSize
	}
	return importer.DefaultChunkSize
}

// finishUndo completes the undo job and marks its import undone.
func (s *Service) finishUndo(ctx context.Context, im intake.Import) error {
	now := s.clock()
	err := s.Store.Jobs(ctx, im.TenantID, func(tx store.JobTx) error {
		if _, err := tx.UpdateImport(ctx, im.ID, func(cur *intake.Import) error {
			if cur.TotalRows == 0 {
				cur.Warnings = append(cur.Warnings, fmt.Sprintf("Nothing was recorded for import %d: its tenant had turned recording off, "+
					"its undo data was swept, or it changed nothing.", im.UndoOf))
			}
			return cur.Finish(now)
		}); err != nil {
			return err
		}
		_, err := tx.UpdateImport(ctx, im.UndoOf, func(cur *intake.Import) error {
			cur.UndoneAt = &now
			return nil
		})
		return err
	})
	if errors.Is(err, intake.ErrImportEnded) {
		return nil
	}
	return err
}

// applyingPreview prepares the run of a started preview: its first run
// drops the preview's report (the rows are reported again) and every run
// compares its chunks with the stored change set.
func (s *Service) applyingPreview(ctx context.Context, im *intake.Import, opt *importer.Options) error {
	if im.PreviewedAt == nil || im.Spec.Previews() {
		return nil
	}
	opt.Previewed = true
	if im.ProcessedRows > 0 {
		return nil
	}
	im.ErrorsStored, im.ErrorsOmitted = 0, 0
	return s.Store.Write(ctx, im.TenantID, func(tx store.Tx) error {
		if rec, ok := tx.(store.Recorder); ok {
			return rec.ClearReport(ctx, im.ID)
		}
		return nil
	})
}

// passQueue is a queue that can run an import a second time: a started
// preview is another pass over its file (jobs.Queue has it).
type passQueue interface {
	EnqueuePassTx(ctx context.Context, tx store.JobTx, tenantID, importID int64, pass int) error
}

// enqueueStart enqueues a started job; a started preview as its applying pass.
func (s *Service) enqueueStart(ctx context.Context, tx store.JobTx, im *intake.Import) error {
	if q, ok := s.Queue.(passQueue); ok && im.PreviewedAt != nil {
		return q.EnqueuePassTx(ctx, tx, im.TenantID, im.ID, 1)
	}
	return s.Queue.EnqueueTx(ctx, tx, im.TenantID, im.ID)
}
