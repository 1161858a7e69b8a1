package imports

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/intake/intake"
)

// errCancelled is the cause of a run's context when its job was cancelled.
var errCancelled = errors.New("import cancelled")

// How often a waiter reads its job: without a Notifier (fast), and as the
// fallback of one (slow: a notification lost to a dropped connection or a
// process that died between commit and notify). The checkpoint refuses a
// cancelled job's next chunk anyway; the cancel watch stops work that has
// no chunk to commit yet, such as checking a large workbook or reading a
// long stretch of empty rows.
const (
	defaultCancelPoll     = time.Second
	defaultCancelFallback = 5 * time.Second
	defaultSyncPoll       = 100 * time.Millisecond
	defaultSyncFallback   = 2 * time.Second
)

// watchCancel returns a context that is cancelled, with cause
// errCancelled, once the job is seen cancelled; call stop when the run
// ends.
func (s *Service) watchCancel(ctx context.Context, tenantID, id int64) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	changed, every, unsubscribe := s.changes(id, s.cancelPoll, defaultCancelPoll, defaultCancelFallback)
	done := make(chan struct{})
	go func() {
		defer unsubscribe()
		t := time.NewTicker(every)
		defer t.Stop()
		// Read once subscribed: a cancel notified before the subscription
		// (the job was running already) is not lost until the fallback.
		for {
			im, err := s.Store.GetImport(ctx, tenantID, id)
			if err == nil && im.Status == intake.StatusCancelled {
				cancel(errCancelled)
				return
			}
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-changed:
			case <-t.C:
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// changes subscribes to job id's changes and returns the channel (nil
// without a Notifier: it never receives), how often to poll besides (set,
// when given; else fast without a Notifier, slow with one) and the end of
// the subscription.
func (s *Service) changes(id int64, set, fast, slow time.Duration) (<-chan struct{}, time.Duration, func()) {
	if s.Notifier == nil {
		return nil, cmp.Or(set, fast), func() {}
	}
	ch, stop := s.Notifier.Subscribe(id)
	return ch, cmp.Or(set, slow), stop
}

// changed tells the waiters on job id, in every process the Notifier
// reaches, that it changed. A failure is only logged: they poll besides.
func (s *Service) changed(ctx context.Context, id int64) {
	if s.Notifier == nil {
		return
	}
	if err := s.Notifier.Notify(context.WithoutCancel(ctx), id); err != nil {
		s.Logger.WarnContext(ctx, "notify job change", "import_id", id, "err", err)
	}
}
