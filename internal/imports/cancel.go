package imports

import (
	"context"
	"errors"
	"time"

	"github.com/intake/intake"
)

// errCancelled is the cause of a run's context when its job was cancelled.
var errCancelled = errors.New("import cancelled")

// defaultCancelPoll is how often a running job looks whether it was
// cancelled. The checkpoint refuses a cancelled job's next chunk anyway;
// the poll stops work that has no chunk to commit yet, such as checking a
// large workbook or reading a long stretch of empty rows.
const defaultCancelPoll = time.Second

// watchCancel returns a context that is cancelled, with cause
// errCancelled, once the job is seen cancelled; call stop when the run
// ends.
func (s *Service) watchCancel(ctx context.Context, tenantID, id int64) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	every := s.cancelPoll
	if every <= 0 {
		every = defaultCancelPoll
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				im, err := s.Store.GetImport(ctx, tenantID, id)
				if err == nil && im.Status == intake.StatusCancelled {
					cancel(errCancelled)
					return
				}
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}
