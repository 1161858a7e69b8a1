package imports

import (
	"context"
	"errors"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// analyze does the analysis of a job in status analyzing (DESIGN §4a): it
// fetches a remote file, reads the header (a workbook's needs its shared
// strings) and configures the job with the columns the request gave, so
// the job then waits for its mapping or is queued. This is the work a
// create request may not do within its bounds. A file that cannot be used
// fails the job with the reason; only infrastructure errors are returned
// (the queue retries them). A job in any other status is left alone.
func (s *Service) analyze(ctx context.Context, tenantID, id int64) error {
	im, err := s.Store.GetImport(ctx, tenantID, id)
	a, ok := im.PendingAnalysis()
	if err != nil || !ok {
		return err
	}
	if a.Location != "" {
		// Into the key the job was made with (a retry fetches again).
		up, err := s.fetchAs(ctx, im.FileKey, a.Location, im.Format)
		if err != nil {
			return s.failAnalysis(ctx, tenantID, id, err)
		}
		im.FileSize = up.Size
	}
	if err := s.readHeader(ctx, &im); err != nil {
		return s.failAnalysis(ctx, tenantID, id, err)
	}
	reg, err := s.Engine.Registry(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("analyze import %d: %w", id, err)
	}
	spec := im.Spec
	spec.Analysis = nil
	req := intake.ImportRequest{Spec: spec, Name: im.Name, Columns: a.Columns, Autostart: a.Autostart, Remap: true,
		Unattended: a.Unattended}
	err = s.Store.Jobs(ctx, tenantID, func(tx store.JobTx) error {
		_, err := tx.UpdateImport(ctx, id, func(cur *intake.Import) error {
			if cur.Status != intake.StatusAnalyzing {
				return intake.ErrImportEnded // cancelled while it was read
			}
			cur.Headers, cur.FileSize = im.Headers, im.FileSize
			cur.Format, cur.Encoding, cur.Sheet, cur.Delimiter = im.Format, im.Encoding, im.Sheet, im.Delimiter
			cur.Spec.HeaderRow = im.Spec.HeaderRow
			if err := s.configure(cur, req, true, reg); err != nil {
				return err
			}
			// Only now is it known whether the job waits for its mapping.
			return s.checkParked(ctx, tx, cur)
		})
		return err
	})
	if err == nil || errors.Is(err, intake.ErrImportEnded) {
		return nil
	}
	if intake.ErrorCode(err) == intake.ETOOLARGE {
		s.Discard(ctx, Upload{Key: im.FileKey}) // the parking quota is about disk
	}
	return s.failAnalysis(ctx, tenantID, id, err)
}

// failAnalysis fails a job whose file could not be analysed, with the
// reason; an infrastructure error is returned for the queue to retry.
func (s *Service) failAnalysis(ctx context.Context, tenantID, id int64, err error) error {
	if intake.ErrorCode(err) == intake.EINTERNAL {
		return fmt.Errorf("analyze import %d: %w", id, err)
	}
	return s.Fail(ctx, tenantID, id, intake.ErrorMessage(err))
}
