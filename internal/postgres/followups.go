package postgres

import "context"

// EnqueueDeliveries implements store.FollowupTx: webhook deliveries go on
// the queue the store is paired with, in this transaction (the outbox's).
func (t *tx) EnqueueDeliveries(ctx context.Context, ids []int64) error {
	return t.queue.EnqueueDeliveries(ctx, t.tx, t.TenantID, ids)
}

// EnqueueDeliveries implements store.FollowupTx.
func (t *jobTx) EnqueueDeliveries(ctx context.Context, ids []int64) error {
	return t.queue.EnqueueDeliveries(ctx, t.tx, t.TenantID, ids)
}
