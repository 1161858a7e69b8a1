package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/intake/intake/internal/store"
)

// DefaultStaleAfter is QueueConfig.StaleAfter's default: how long a
// process may miss heartbeats before its running jobs are handed to a live
// worker. Heartbeats are sent every fifth of it.
const DefaultStaleAfter = 10 * time.Second

// NewProcessID returns an id for this process, unique among the processes
// sharing a database: host, pid and 6 random bytes. The host and pid let a
// process restarted on the same machine see at once that its predecessor is
// dead (see deadHere), without waiting for its heartbeat to go stale.
func NewProcessID() string {
	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, "/", "-")
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// deadHere reports whether process id ran on this host and is gone: its
// pid no longer runs, or it is this process's own pid (a container restarted
// with the same pid, or a reused one) under another id.
func deadHere(id, self string) bool {
	parts := strings.Split(id, "/")
	mine := strings.Split(self, "/")
	if len(parts) != 3 || len(mine) != 3 || parts[0] != mine[0] || id == self {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	return !processAlive(pid)
}

// rescuer keeps this process's heartbeat and hands the running jobs of dead
// processes back to the queue: on start (so a restarted single node resumes
// its jobs within a second) and then every beat. A process is dead when its
// heartbeat is older than stale, or at once when it ran on this host and
// its pid is gone. River's own rescuer (--rescue-after) stays as a backstop
// for a live process whose job hangs.
type rescuer struct {
	// running lists the running jobs through River's public API, every
	// beat; exec, River's driver, is used only to hand back the jobs of a
	// dead process, which the public API cannot (JobRetry leaves running
	// jobs alone).
	running func(ctx context.Context) ([]*rivertype.JobRow, error)
	exec    riverdriver.Executor
	hb      store.Heartbeats
	id      string
	stale   time.Duration
	logger  *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// start sends the first heartbeat, rescues what dead processes left
// running, and keeps doing both in the background until stop.
func (r *rescuer) start(ctx context.Context) error {
	if err := r.hb.BeatWorker(ctx, r.id, time.Now()); err != nil {
		return err
	}
	if _, err := r.rescue(ctx); err != nil {
		return err
	}
	loop, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		t := time.NewTicker(r.stale / 5)
		defer t.Stop()
		for {
			select {
			case <-loop.Done():
				return
			case <-t.C:
			}
			if err := r.hb.BeatWorker(loop, r.id, time.Now()); err != nil && loop.Err() == nil {
				r.logger.Warn("heartbeat failed", "process", r.id, "err", err)
			}
			if _, err := r.rescue(loop); err != nil && loop.Err() == nil {
				r.logger.Warn("rescuing jobs of dead processes failed", "err", err)
			}
		}
	}()
	return nil
}

// stop ends the loop and removes the heartbeat: this process is leaving.
func (r *rescuer) stop(ctx context.Context) error {
	var err error
	r.once.Do(func() {
		if r.cancel != nil {
			r.cancel()
			<-r.done
		}
		err = r.hb.ForgetWorker(context.WithoutCancel(ctx), r.id)
	})
	return err
}

// rescue makes the running jobs of dead processes available again and
// returns how many. The update only applies to a job still running since
// before this pass began, so a job another worker fetched meanwhile is left
// alone.
func (r *rescuer) rescue(ctx context.Context) (int, error) {
	now := time.Now()
	live, err := r.hb.LiveWorkers(ctx, now.Add(-r.stale))
	if err != nil {
		return 0, err
	}
	for _, id := range live {
		if deadHere(id, r.id) {
			// Its heartbeat is fresh but its process is gone: forget it now,
			// so its idempotency reservations are freed too.
			if err := r.hb.ForgetWorker(ctx, id); err != nil {
				return 0, err
			}
			live = slices.DeleteFunc(live, func(s string) bool { return s == id })
		}
	}
	running, err := r.running(ctx)
	if err != nil {
		return 0, fmt.Errorf("list running jobs: %w", err)
	}
	p := riverdriver.JobRescueManyParams{StuckHorizon: now}
	for _, job := range running {
		owner := ""
		if n := len(job.AttemptedBy); n > 0 {
			owner = job.AttemptedBy[n-1]
		}
		if owner == r.id || slices.Contains(live, owner) {
			continue
		}
		msg, _ := json.Marshal(rivertype.AttemptError{At: now.UTC(), Attempt: max(job.Attempt, 0),
			Error: fmt.Sprintf("process %s stopped (no heartbeat); job handed to %s", owner, r.id)})
		p.ID = append(p.ID, job.ID)
		p.Error = append(p.Error, msg)
		p.FinalizedAt = append(p.FinalizedAt, nil)
		p.ScheduledAt = append(p.ScheduledAt, now.UTC())
		p.State = append(p.State, string(rivertype.JobStateAvailable))
	}
	if len(p.ID) == 0 {
		return 0, nil
	}
	if _, err := r.exec.JobRescueMany(ctx, &p); err != nil {
		return 0, fmt.Errorf("rescue %d jobs: %w", len(p.ID), err)
	}
	r.logger.Info("resumed jobs of stopped processes", "jobs", p.ID)
	return len(p.ID), nil
}

var errNoHeartbeats = errors.New("jobs: QueueConfig.Heartbeats is required with ProcessID")
