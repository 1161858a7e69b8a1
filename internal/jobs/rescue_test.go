package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// TestRescueDeadProcessJobs leaves two jobs "running" as a process killed
// with -9 does, and checks that a live queue resumes them within a bounded
// time instead of after RescueAfter (5 minutes): a job of a process on
// another host once its heartbeat is stale, a job of a dead pid on this
// host at once. Regression: jobs of a dead process waited for River's
// rescuer (--rescue-after).
func TestRescueDeadProcessJobs(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db := testdb.OpenSQLite(t)
		testRescue(t, db, db.RiverDriver())
	})
	if testdb.PostgresURL(t) != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenPostgres(t)
			testRescue(t, db, db.RiverDriver())
		})
	}
}

// recordRunner records when each import ran.
type recordRunner struct {
	mu  sync.Mutex
	ran map[int64]time.Time
}

func (r *recordRunner) Run(_ context.Context, _, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.ran[id]; !ok {
		r.ran[id] = time.Now()
	}
	return nil
}
func (r *recordRunner) Fail(context.Context, int64, int64, string) error { return nil }

func (r *recordRunner) when(id int64) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.ran[id]
	return at, ok
}

func testRescue[TTx any](t *testing.T, s store.Store, driver riverdriver.Driver[TTx]) {
	ctx := context.Background()
	// A pid that no longer runs: a process that has exited.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	self := NewProcessID()
	host := strings.Split(self, "/")[0]
	deadLocal := fmt.Sprintf("%s/%d/0000", host, cmd.Process.Pid)
	remote := "other-host/1/1111"
	now := time.Now()
	for _, id := range []string{deadLocal, remote} {
		if err := s.BeatWorker(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	// The River tables exist once a queue was made.
	runner := &recordRunner{ran: map[int64]time.Time{}}
	const stale = time.Second
	q, err := NewQueue(ctx, driver, runner, QueueConfig{ProcessID: self, Heartbeats: s, StaleAfter: stale, RescueAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	exec := driver.GetExecutor()
	running := func(importID int64, owner string) {
		args, _ := json.Marshal(ImportArgs{TenantID: 1, ImportID: importID})
		at := time.Now().Add(-time.Second)
		_, err := exec.JobInsertFull(ctx, &riverdriver.JobInsertFullParams{
			Attempt: 1, AttemptedAt: &at, AttemptedBy: []string{owner}, CreatedAt: &at, EncodedArgs: args,
			Kind: ImportArgs{}.Kind(), MaxAttempts: 100, Metadata: []byte("{}"), Priority: 1, Queue: "default",
			ScheduledAt: &at, State: rivertype.JobStateRunning, Tags: []string{}})
		if err != nil {
			t.Fatal(err)
		}
	}
	running(1, deadLocal)
	running(2, remote)
	started := time.Now()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })

	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ok1 := runner.when(1)
		_, ok2 := runner.when(2)
		if ok1 && ok2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not resumed within 10 s: local %v, remote %v", ok1, ok2)
		}
		time.Sleep(20 * time.Millisecond)
	}
	local, _ := runner.when(1)
	other, _ := runner.when(2)
	if d := local.Sub(started); d > stale/2 {
		t.Errorf("the dead local process's job resumed after %v; want at once", d)
	}
	// The remote process's heartbeat was fresh at the start: its job must
	// wait for it to go stale, then resume about a beat (StaleAfter/5)
	// later; the slack is for a loaded CI machine (fetch polling, -race).
	if d := other.Sub(now); d < stale || d > 2*stale+3*time.Second {
		t.Errorf("the stale remote process's job resumed %v after its last beat; want between %v and ~%v", d, stale, stale+stale/5)
	}
	t.Logf("resumed: dead local pid after %v, stale remote after %v", local.Sub(started).Round(time.Millisecond), other.Sub(now).Round(time.Millisecond))
}
