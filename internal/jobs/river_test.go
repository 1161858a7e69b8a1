package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

func TestEnqueueTx(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db := testdb.OpenSQLite(t)
		testEnqueueTx(t, db, db.RiverDriver())
	})
	if testdb.PostgresURL(t) != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenPostgres(t)
			testEnqueueTx(t, db, db.RiverDriver())
		})
	}
}

// idleRunner is never called: the queues under test are not started.
type idleRunner struct{}

func (idleRunner) Run(context.Context, int64, int64) error          { return nil }
func (idleRunner) Fail(context.Context, int64, int64, string) error { return nil }

// testEnqueueTx checks that a River job enqueued in a Jobs transaction is
// committed or rolled back with the import job it was created beside.
func testEnqueueTx[TTx any](t *testing.T, s store.Pairable[TTx], driver riverdriver.Driver[TTx]) {
	ctx := context.Background()
	q, err := NewQueue(ctx, driver, idleRunner{}, QueueConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tn, err := s.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	// Unpaired, the store has no queue to enqueue through.
	err = s.Jobs(ctx, tn.ID, func(tx store.JobTx) error { return q.EnqueueTx(ctx, tx, tn.ID, 1) })
	if err == nil {
		t.Fatal("EnqueueTx enqueued through a store paired with no queue")
	}
	s.Pair(q)
	// createAndEnqueue creates a job and enqueues it in one transaction,
	// whose fn then returns fail (nil commits).
	createAndEnqueue := func(fail error) (intake.Import, error) {
		im := intake.Import{TenantID: tn.ID, Status: intake.StatusQueued, Spec: intake.DefaultSpec()}
		err := s.Jobs(ctx, tn.ID, func(tx store.JobTx) error {
			if err := tx.CreateImport(ctx, &im); err != nil {
				return err
			}
			if err := q.EnqueueTx(ctx, tx, tn.ID, im.ID); err != nil {
				return err
			}
			return fail
		})
		return im, err
	}
	// riverJobs lists the queue's import jobs through River.
	riverJobs := func() []ImportArgs {
		t.Helper()
		res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(ImportArgs{}.Kind()))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]ImportArgs, len(res.Jobs))
		for i, j := range res.Jobs {
			if err := json.Unmarshal(j.EncodedArgs, &out[i]); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}

	boom := errors.New("boom")
	if _, err := createAndEnqueue(boom); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got := riverJobs(); len(got) != 0 {
		t.Fatalf("a rolled-back transaction left River jobs %+v", got)
	}
	if ims, _ := s.ListImports(ctx, tn.ID, 0, 10); len(ims) != 0 {
		t.Fatalf("a rolled-back transaction left %d import jobs", len(ims))
	}

	im, err := createAndEnqueue(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Enqueueing a queued import again keeps one River job.
	if err := s.Jobs(ctx, tn.ID, func(tx store.JobTx) error { return q.EnqueueTx(ctx, tx, tn.ID, im.ID) }); err != nil {
		t.Fatal(err)
	}
	want := []ImportArgs{{TenantID: tn.ID, ImportID: im.ID}}
	if got := riverJobs(); !slices.Equal(got, want) {
		t.Fatalf("River jobs after a commit: %+v, want %+v", got, want)
	}
}
