package imports

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Changes is one page of an import's change set and its summary.
type Changes struct {
	Data    []store.Change
	Summary store.ChangeSummary
	// Next is the cursor of the next page; 0 on the last.
	Next int64
}

// changeStore is the store's change-set reader; both stores have one.
func (s *Service) changeStore() (store.ChangeReader, error) {
	r, ok := s.Store.(store.ChangeReader)
	if !ok {
		return nil, fmt.Errorf("the store keeps no change sets")
	}
	return r, nil
}

// Changes pages an import's changes: the change set its preview stored
// or, for an import that wrote without a preview, what it did, from its
// undo records (changes_done.go). ENOTFOUND when the import is not the
// tenant's; ESTATE for an undo job.
func (s *Service) Changes(ctx context.Context, tenantID, id int64, f store.ChangeFilter) (Changes, error) {
	im, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Changes{}, err
	}
	r, err := s.changeStore()
	if err != nil {
		return Changes{}, err
	}
	if im.PreviewedAt == nil && !im.Spec.Previews() {
		return s.doneChanges(ctx, r, im, f)
	}
	limit := f.Limit
	f.Limit++
	out := Changes{}
	if out.Data, err = r.ListChanges(ctx, tenantID, id, f); err != nil {
		return out, err
	}
	if len(out.Data) > limit {
		out.Data = out.Data[:limit]
		out.Next = out.Data[limit-1].ID
	}
	out.Summary, err = r.ChangeSummary(ctx, tenantID, id)
	return out, err
}

// sweepUndo deletes undo data past each tenant's undo window.
func (s *Service) sweepUndo(ctx context.Context) error {
	r, err := s.changeStore()
	if err != nil {
		return nil // a store without undo data has nothing to sweep
	}
	if _, err := r.SweepUndo(ctx, s.clock(), intake.DefaultUndoDays); err != nil {
		return fmt.Errorf("sweep undo data: %w", err)
	}
	return nil
}
