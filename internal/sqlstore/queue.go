package sqlstore

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/intake/intake/internal/store"
)

// Queue is the job queue a store is paired with (store.Pairable), over
// driver transactions of type TTx. A backend embeds it in its DB and
// calls Enqueue from its JobTx with the transaction it holds.
type Queue[TTx any] struct {
	q atomic.Pointer[store.Enqueuer[TTx]]
}

// Pair implements store.Pairable.
func (p *Queue[TTx]) Pair(q store.Enqueuer[TTx]) { p.q.Store(&q) }

// Enqueue inserts a queue job for the import inside tx.
func (p *Queue[TTx]) Enqueue(ctx context.Context, tx TTx, tenantID, importID int64, pass int) error {
	q := p.q.Load()
	if q == nil {
		return errors.New("enqueue import: the store is paired with no job queue")
	}
	return (*q).InsertTx(ctx, tx, tenantID, importID, pass)
}

// EnqueueDeliveries inserts queue jobs for webhook deliveries inside tx.
func (p *Queue[TTx]) EnqueueDeliveries(ctx context.Context, tx TTx, tenantID int64, ids []int64) error {
	q := p.q.Load()
	if q == nil {
		return errors.New("enqueue deliveries: the store is paired with no job queue")
	}
	return (*q).InsertDeliveriesTx(ctx, tx, tenantID, ids)
}
