package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Sweeper deletes what the retention period no longer keeps: the import
// service. Sweep returns how many jobs it expired.
type Sweeper interface {
	Sweep(ctx context.Context) (int, error)
}

// DefaultSweepEvery is how often the retention sweep runs.
const DefaultSweepEvery = time.Hour

// SweepArgs is the periodic River job that runs the retention sweep.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "intake_retention_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	sweeper Sweeper
}

// Work runs one sweep. An error is retried by River; the next period's
// sweep picks up whatever one sweep left.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	if _, err := w.sweeper.Sweep(ctx); err != nil {
		return fmt.Errorf("retention sweep: %w", err)
	}
	return nil
}

// periodicJobs registers the sweep worker and returns its schedule: every
// cfg.SweepEvery, and once when the queue starts. Only the elected leader
// of River's clients schedules it, so several processes sweep once.
func periodicJobs(workers *river.Workers, cfg QueueConfig) []*river.PeriodicJob {
	if cfg.Sweeper == nil {
		return nil
	}
	every := cfg.SweepEvery
	if every <= 0 {
		every = DefaultSweepEvery
	}
	river.AddWorker(workers, &sweepWorker{sweeper: cfg.Sweeper})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			// No UniqueOpts: River's default unique states include
			// completed, which would let the first sweep block every later
			// one. Two sweeps at once are harmless (each job expires once).
			return SweepArgs{}, &river.InsertOpts{MaxAttempts: 3}
		}, &river.PeriodicJobOpts{RunOnStart: true})}
}
