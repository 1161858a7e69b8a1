package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake/internal/notify"
)

// jobsChannel is the LISTEN/NOTIFY channel of job changes; the payload is
// the job's id. Processes on other schemas of the same database share it:
// their ids only wake a waiter to read its own job again.
const jobsChannel = "intake_jobs"

// Notifier is a notify.Notifier over LISTEN/NOTIFY: Notify reaches every
// process on the database; one connection of its own listens and wakes this
// process's subscribers.
type Notifier struct {
	db     *DB
	local  *notify.Local
	cancel context.CancelFunc
	done   chan struct{}
}

// Notifier starts listening for job changes on a connection of its own
// (not the pool's: it is held for as long as the process runs) until
// Close. It fails when the first connection cannot be made.
func (db *DB) Notifier(ctx context.Context) (*Notifier, error) {
	conn, err := db.listen(ctx)
	if err != nil {
		return nil, err
	}
	loop, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n := &Notifier{db: db, local: notify.NewLocal(), cancel: cancel, done: make(chan struct{})}
	go n.run(loop, conn)
	return n, nil
}

// listen opens a connection with the pool's settings and listens on it.
func (db *DB) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("notifier connection: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+jobsChannel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("listen %s: %w", jobsChannel, err)
	}
	return conn, nil
}

// run wakes subscribers as notifications arrive and reconnects when the
// connection drops, waking every subscriber then: hints sent meanwhile
// were lost.
func (n *Notifier) run(ctx context.Context, conn *pgx.Conn) {
	defer close(n.done)
	for {
		for conn != nil {
			msg, err := conn.WaitForNotification(ctx)
			if err != nil {
				conn.Close(context.WithoutCancel(ctx))
				conn = nil
				break
			}
			if id, err := strconv.ParseInt(msg.Payload, 10, 64); err == nil {
				n.local.Wake(id)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if c, err := n.db.listen(ctx); err == nil {
			conn = c
			n.local.WakeAll()
		}
	}
}

// Notify implements notify.Notifier: every process on the database hears
// that job id changed.
func (n *Notifier) Notify(ctx context.Context, id int64) error {
	if _, err := n.db.pool.Exec(ctx, "SELECT pg_notify($1, $2)", jobsChannel, strconv.FormatInt(id, 10)); err != nil {
		return fmt.Errorf("notify job %d: %w", id, err)
	}
	return nil
}

// Subscribe implements notify.Notifier.
func (n *Notifier) Subscribe(id int64) (<-chan struct{}, func()) { return n.local.Subscribe(id) }

// Close stops listening and closes the notifier's connection.
func (n *Notifier) Close() error {
	n.cancel()
	<-n.done
	return nil
}
