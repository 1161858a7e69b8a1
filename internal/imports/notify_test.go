package imports

import (
	"context"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/notify"
	"github.com/intake/intake/internal/postgres"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// pair is two services on one database, as two processes would have them:
// each with its own store handle and notifier (on SQLite one process owns
// the database, so they share the store and the in-process notifier).
type pair struct {
	a, b   *bundle
	tenant int64
}

func notifiedPairs(t *testing.T) map[string]func(t *testing.T) pair {
	pairs := map[string]func(t *testing.T) pair{"sqlite": func(t *testing.T) pair {
		st := testdb.OpenSQLite(t)
		a := setup(t, st)
		b := &bundle{store: st, bucket: a.bucket, tenant: a.tenant, svc: New(st, a.bucket, "NL", 0)}
		local := notify.NewLocal()
		a.svc.Notifier, b.svc.Notifier = local, local
		return pair{a, b, a.tenant}
	}}
	if testdb.PostgresURL(t) == "" {
		return pairs
	}
	pairs["postgres"] = func(t *testing.T) pair {
		url := testdb.PostgresSchemaURL(t)
		open := func() (store.Store, notify.Notifier) {
			db, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.Notifier(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { n.Close(); db.Close() })
			return db, n
		}
		st1, n1 := open()
		st2, n2 := open()
		a := setup(t, st1)
		b := &bundle{store: st2, bucket: a.bucket, tenant: a.tenant, svc: New(st2, a.bucket, "NL", 0)}
		a.svc.Notifier, b.svc.Notifier = n1, n2
		return pair{a, b, a.tenant}
	}
	return pairs
}

// TestCancelIsNotified: a job cancelled through another service (another
// process on PostgreSQL) stops its run at once, though its poll would not
// look for an hour: the cancel is notified.
func TestCancelIsNotified(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	book := slowWorkbook(t)
	for name, newPair := range notifiedPairs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newPair(t)
			p.a.svc.cancelPoll = time.Hour
			p.a.svc.TempDir = t.TempDir()
			im := p.a.newImport(t, string(book), func(im *intake.Import) {
				im.Format, im.FileName, im.Headers = "xlsx", "slow.xlsx", []string{"email"}
				im.Spec.Mapping = map[string]string{"email": intake.FieldEmail}
			})
			done := make(chan error, 1)
			go func() { done <- p.a.svc.Run(ctx, p.tenant, im.ID) }()
			deadline := time.Now().Add(30 * time.Second)
			for getImport(t, p.a, im.ID).Status != intake.StatusRunning {
				if time.Now().After(deadline) {
					t.Fatal("the job did not start")
				}
				time.Sleep(2 * time.Millisecond)
			}
			if _, err := p.b.svc.Cancel(ctx, p.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			cancelled := time.Now()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("the run goes on a minute after its job was cancelled")
			}
			if took := time.Since(cancelled); took > 3*time.Second {
				t.Fatalf("the run stopped %v after its job was cancelled elsewhere", took)
			}
			if got := getImport(t, p.a, im.ID); got.Status != intake.StatusCancelled || got.Created != 0 {
				t.Fatalf("after cancel: %+v", got)
			}
		})
	}
}

// TestSyncWaitIsNotified: a sync request waiting on its job answers as
// soon as the job ends in another service (process), though its poll would
// not look for an hour.
func TestSyncWaitIsNotified(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, newPair := range notifiedPairs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newPair(t)
			p.a.svc.SyncPoll = time.Hour
			im := p.a.newImport(t, "email\nann@example.com\nbob@example.com\n", nil)
			type answer struct {
				im  intake.Import
				err error
			}
			waited := make(chan answer, 1)
			go func() {
				im, err := p.a.svc.wait(ctx, p.tenant, im.ID)
				waited <- answer{im, err}
			}()
			if err := p.b.svc.Run(ctx, p.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			ended := time.Now()
			select {
			case a := <-waited:
				if a.err != nil || a.im.Status != intake.StatusCompleted || a.im.Created != 2 {
					t.Fatalf("wait answered %+v, %v", a.im, a.err)
				}
			case <-time.After(time.Minute):
				t.Fatal("the sync wait goes on a minute after its job ended")
			}
			if took := time.Since(ended); took > 3*time.Second {
				t.Fatalf("the sync wait answered %v after its job ended elsewhere", took)
			}
		})
	}
}
