// Package notify tells the waiters on an import job that it changed: a
// running job watching for its cancellation, a sync request waiting for its
// job to end. A Notifier reaches every process on the database (PostgreSQL:
// LISTEN/NOTIFY, see postgres.DB.Notifier) or only this one (Local: enough
// for SQLite, which one process owns). Notifications are hints, never the
// state itself: a waiter reads the job again when woken, and still polls,
// slowly, in case a notification was lost (a dropped connection, a process
// that died between its commit and its notify).
package notify

import (
	"context"
	"sync"
)

// Notifier sends and receives "job id changed" hints.
type Notifier interface {
	// Notify tells the waiters on job id, in every process the notifier
	// reaches, that it changed. Best effort: a lost hint costs a waiter
	// only its fallback poll.
	Notify(ctx context.Context, id int64) error
	// Subscribe returns a channel that receives when job id may have
	// changed (hints coalesce: one pending at most) and a func that ends
	// the subscription.
	Subscribe(id int64) (<-chan struct{}, func())
}

// Local is an in-process Notifier, and the fan-out of a cross-process one:
// Notify wakes this process's subscribers of the job at once.
type Local struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]struct{}
}

// NewLocal returns an in-process Notifier.
func NewLocal() *Local { return &Local{subs: map[int64]map[chan struct{}]struct{}{}} }

// Notify implements Notifier: it wakes this process's subscribers of id.
func (l *Local) Notify(_ context.Context, id int64) error {
	l.Wake(id)
	return nil
}

// Wake wakes the subscribers of id without blocking: one with a hint
// pending already has all it needs.
func (l *Local) Wake(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// WakeAll wakes every subscriber: hints may have been lost (a listener
// reconnected), so every waiter reads its job again.
func (l *Local) WakeAll() {
	l.mu.Lock()
	ids := make([]int64, 0, len(l.subs))
	for id := range l.subs {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	for _, id := range ids {
		l.Wake(id)
	}
}

// Subscribe implements Notifier.
func (l *Local) Subscribe(id int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	if l.subs[id] == nil {
		l.subs[id] = map[chan struct{}]struct{}{}
	}
	l.subs[id][ch] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			delete(l.subs[id], ch)
			if len(l.subs[id]) == 0 {
				delete(l.subs, id)
			}
		})
	}
}
