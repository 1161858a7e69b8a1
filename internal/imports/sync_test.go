package imports

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/jobs"
	"github.com/intake/intake/internal/testdb"
)

// concurrency is a jobs.Runner that counts the runs in progress.
type concurrency struct {
	svc             *Service
	runs, now, most atomic.Int64
	mu              sync.Mutex
	seen            map[int64]bool
}

func (c *concurrency) Run(ctx context.Context, tenantID, id int64) error {
	c.runs.Add(1)
	c.mu.Lock()
	c.seen[id] = true
	if n := c.now.Add(1); n > c.most.Load() {
		c.most.Store(n)
	}
	c.mu.Unlock()
	defer c.now.Add(-1)
	return c.svc.Run(ctx, tenantID, id)
}

func (c *concurrency) Fail(ctx context.Context, tenantID, id int64, msg string) error {
	return c.svc.Fail(ctx, tenantID, id, msg)
}

// TestSyncUploadsRunOnTheQueue sends six sync uploads at once to a service
// whose queue has one worker: each runs as a queue job (so a crash leaves a
// job to resume, not an import "running" forever), one at a time, and each
// request still answers with its finished job. Regression: sync uploads ran
// in the request, six at once whatever --workers said, with no queue job
// behind them.
func TestSyncUploadsRunOnTheQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.OpenSQLite(t)
	b := setup(t, st)
	b.svc.Engine.ChunkSize = 100
	runner := &concurrency{svc: b.svc, seen: map[int64]bool{}}
	q, err := jobs.NewQueue(ctx, st.RiverDriver(), runner, jobs.QueueConfig{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b.svc.Queue = q
	st.Pair(q) // the store's job transactions enqueue through q (store.Pairable)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(ctx)

	content, distinct, invalid, dups := contactsCSV(300)
	var wg sync.WaitGroup
	results := make([]intake.Import, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			up, err := b.svc.Save(ctx, b.tenant, strings.NewReader(content), "contacts.csv", "")
			if err != nil {
				t.Error(err)
				return
			}
			req := intake.ImportRequest{Spec: intake.DefaultSpec(), Autostart: true, Sync: true}
			c, err := b.svc.Create(ctx, b.tenant, Input{Upload: up, Translate: fixed(req)})
			if results[i] = c.Import; err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	created := 0
	for _, im := range results {
		if im.Status != intake.StatusCompleted || im.ProcessedRows != 300 {
			t.Errorf("job %d: %s after %d rows, want completed after 300", im.ID, im.Status, im.ProcessedRows)
		}
		if !runner.seen[im.ID] {
			t.Errorf("job %d did not run on the queue", im.ID)
		}
		created += im.Created
	}
	if created != distinct || results[0].FailedRows != invalid || results[0].Skipped != dups {
		t.Errorf("created %d in all (want %d once), first job failed %d skipped %d (want %d, %d)",
			created, distinct, results[0].FailedRows, results[0].Skipped, invalid, dups)
	}
	if runner.runs.Load() < 6 || runner.most.Load() != 1 {
		t.Errorf("%d runs, at most %d at once; want 6 runs, one at a time (--workers 1)", runner.runs.Load(), runner.most.Load())
	}
}
