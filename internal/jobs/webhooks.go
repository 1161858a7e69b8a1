package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Deliverer delivers webhook events for the queue's workers: the webhook
// service.
type Deliverer interface {
	// Deliver makes one attempt of a delivery. nil: done; ErrPaused (as
	// Paused reports it): wait; another error: retry after Retry(attempt).
	Deliver(ctx context.Context, tenantID, deliveryID int64, attempt int) error
	// Paused reports whether err means "the webhook is paused", and how
	// long the delivery waits then.
	Paused(err error) (time.Duration, bool)
	// Retry is the wait after failed attempt n.
	Retry(attempt int) time.Duration
	// Attempts is how often a delivery is tried.
	Attempts() int
	// AttemptTimeout bounds one attempt.
	AttemptTimeout() time.Duration
}

// DeliveryArgs is the River job that delivers one webhook event to one
// webhook. The event is in the outbox, committed with the change that
// caused it; the job was inserted in that same transaction.
type DeliveryArgs struct {
	TenantID   int64 `json:"tenant_id"`
	DeliveryID int64 `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliveryArgs) Kind() string { return "intake_webhook_delivery" }

type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	d Deliverer
}

// Work makes one attempt; River retries a failed one on the deliverer's
// schedule (NextRetry), and a paused webhook's delivery is snoozed, which
// costs it no attempt.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	err := w.d.Deliver(ctx, job.Args.TenantID, job.Args.DeliveryID, job.Attempt)
	if wait, ok := w.d.Paused(err); ok {
		return river.JobSnooze(wait)
	}
	return err
}

// Timeout leaves the attempt's own timeout room to record its outcome.
func (w *deliveryWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.d.AttemptTimeout() + 30*time.Second
}

// NextRetry follows the deliverer's documented schedule.
func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return time.Now().Add(w.d.Retry(job.Attempt))
}

var errNoDeliverer = errors.New("this queue has no webhook deliverer (QueueConfig.Deliverer)")

// InsertDeliveriesTx implements store.Enqueuer: it schedules deliveries
// inside tx, the driver transaction of the change that caused their events
// (FollowupTx.EnqueueDeliveries), so they commit with it or not at all.
func (q *RiverQueue[TTx]) InsertDeliveriesTx(ctx context.Context, tx TTx, tenantID int64, ids []int64) error {
	if q.deliverer == nil {
		return errNoDeliverer
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: DeliveryArgs{TenantID: tenantID, DeliveryID: id},
			InsertOpts: &river.InsertOpts{MaxAttempts: q.deliverer.Attempts()}}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue deliveries: %w", err)
	}
	return nil
}
