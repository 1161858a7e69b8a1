package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/intake/intake/internal/store"
)

// Runner runs and fails import jobs for the queue's workers: the import
// service.
type Runner interface {
	// Run executes (or resumes) one import job. An error is an
	// infrastructure failure: the queue retries the job.
	Run(ctx context.Context, tenantID, importID int64) error
	// Fail marks a job failed with msg, unless it has already ended; the
	// queue calls it when it gives up on a job.
	Fail(ctx context.Context, tenantID, importID int64, msg string) error
}

// ImportArgs is the River job that runs one import.
type ImportArgs struct {
	TenantID int64 `json:"tenant_id"`
	ImportID int64 `json:"import_id"`
	// Pass tells a previewed import's applying run (1) from its preview
	// (0): River keeps one job per args, and the preview's may not have
	// been marked completed yet when the import is started.
	Pass int `json:"pass,omitempty"`
}

// Kind implements river.JobArgs.
func (ImportArgs) Kind() string { return "intake_import" }

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	runner Runner
	slice  time.Duration
}

// Work runs the import. Errors are infrastructure failures: River retries
// them with backoff, and the run resumes from the last checkpoint.
func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	err := w.runner.Run(ctx, job.Args.TenantID, job.Args.ImportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// River discards the job now; the import must not stay "running".
		return errors.Join(err, w.runner.Fail(context.WithoutCancel(ctx), job.Args.TenantID, job.Args.ImportID,
			fmt.Sprintf("The import stopped after %d attempts: %v", job.Attempt, err)))
	}
	return err
}

// Timeout slices a long import into attempts of at most half the rescue
// time. When an attempt's time is up the run stops at its next chunk and
// the job is retried at once, resuming from its checkpoint, so nothing is
// lost; and because a live job is never older than the rescue time, River's
// rescuer can tell a dead process's job (it stays "running") and hand it to
// another worker. An infinite timeout would make River never rescue it.
func (w *importWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return w.slice }

// NextRetry resumes a sliced or failed import soon: after 1, 4, 9… seconds,
// at most a minute, instead of River's default attempt⁴ backoff.
func (w *importWorker) NextRetry(job *river.Job[ImportArgs]) time.Time {
	n := time.Duration(job.Attempt)
	return time.Now().Add(min(n*n*time.Second, time.Minute))
}

// Defaults of QueueConfig.
const (
	DefaultWorkers     = 2
	DefaultRescueAfter = 5 * time.Minute
)

// Queue schedules import jobs and runs workers for them.
type Queue interface {
	// EnqueueTx schedules an import inside tx, a Store.Jobs transaction,
	// so the River job is committed with tx or not at all: create a job and
	// enqueue it in one transaction. It is tx.Enqueue, which inserts through
	// the queue the store was paired with (store.Pairable; see
	// RiverQueue.InsertTx), kept so callers written against Queue still
	// build. Scheduling one already queued does nothing: River keeps one
	// job per import.
	EnqueueTx(ctx context.Context, tx store.JobTx, tenantID, importID int64) error
	// Start starts the workers (a queue that only enqueues needs no Start).
	Start(ctx context.Context) error
	// Stop stops the workers, letting running jobs end until ctx is done
	// and cancelling them then; their jobs are retried (and resume) later.
	Stop(ctx context.Context) error
}

// QueueConfig tunes the queue.
type QueueConfig struct {
	// Workers is how many imports run at once in this process. Default 2.
	Workers int
	// RescueAfter is how long a job may look running before River hands it
	// to another worker (a process that died mid-job leaves it running).
	// Attempts are sliced at half of it (see importWorker.Timeout), and
	// checkpoints are guarded, so only one run advances a job. Default 5
	// minutes.
	RescueAfter time.Duration
	Logger      *slog.Logger
	// ProcessID names this process to River and in the heartbeat table
	// (NewProcessID). With Heartbeats set, the queue beats every
	// StaleAfter/5 and, on Start and every beat, hands the running jobs of
	// dead processes to the queue (rescue.go). Empty: River's random id and
	// no heartbeats (jobs of a dead process wait for RescueAfter).
	ProcessID  string
	Heartbeats store.Heartbeats
	// StaleAfter is how long a process may miss heartbeats before its jobs
	// are taken over. Default DefaultStaleAfter.
	StaleAfter time.Duration
	// Sweeper, when set, runs every SweepEvery (default
	// DefaultSweepEvery) as a periodic job: see retention.go.
	Sweeper    Sweeper
	SweepEvery time.Duration
	// Deliverer, when set, delivers webhook events (webhooks.go).
	Deliverer Deliverer
}

// RiverQueue is the queue on River over driver transactions of type TTx
// (*sql.Tx on SQLite, pgx.Tx on PostgreSQL). It is a store.Enqueuer[TTx]:
// pair it with the store of the same database (store.Pairable.Pair), and
// the store's job transactions enqueue through InsertTx, typed end to end.
type RiverQueue[TTx any] struct {
	client    *river.Client[TTx]
	rescue    *rescuer // nil without heartbeats
	deliverer Deliverer
}

// NewQueue returns a queue on driver's database, migrating River's tables
// there first. The driver is the store's own (the store's RiverDriver), so
// EnqueueTx can insert inside the store's transactions; on SQLite it runs
// over the store's one-connection write pool (River's SQLite advice), so
// River and imports take turns instead of meeting SQLITE_BUSY.
func NewQueue[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], runner Runner, cfg QueueConfig) (*RiverQueue[TTx], error) {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(cfg.Logger)})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrate: %w", err)
	}
	n := cfg.Workers
	if n <= 0 {
		n = DefaultWorkers
	}
	rescue := cfg.RescueAfter
	if rescue <= 0 {
		rescue = DefaultRescueAfter
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &importWorker{runner: runner, slice: rescue / 2})
	if cfg.Deliverer != nil {
		river.AddWorker(workers, &deliveryWorker{d: cfg.Deliverer})
	}
	client, err := river.NewClient(driver, &river.Config{
		ID:                   cfg.ProcessID,
		PeriodicJobs:         periodicJobs(workers, cfg),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}},
		Workers:              workers,
		JobTimeout:           rescue / 2,
		RescueStuckJobsAfter: rescue,
		// SQLite has no LISTEN/NOTIFY: River polls. 200 ms keeps a new job's
		// start prompt at negligible cost.
		FetchPollInterval: 200 * time.Millisecond,
		FetchCooldown:     50 * time.Millisecond,
		Logger:            quiet(cfg.Logger),
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	q := &RiverQueue[TTx]{client: client, deliverer: cfg.Deliverer}
	if cfg.ProcessID != "" {
		if cfg.Heartbeats == nil {
			return nil, errNoHeartbeats
		}
		stale := cfg.StaleAfter
		if stale <= 0 {
			stale = DefaultStaleAfter
		}
		q.rescue = &rescuer{running: runningJobs(client), exec: driver.GetExecutor(), hb: cfg.Heartbeats, id: cfg.ProcessID, stale: stale, logger: cfg.Logger}
		if q.rescue.logger == nil {
			q.rescue.logger = slog.Default()
		}
	}
	return q, nil
}

// runningJobs lists up to 1000 running jobs through River's public API.
func runningJobs[TTx any](client *river.Client[TTx]) func(ctx context.Context) ([]*rivertype.JobRow, error) {
	params := river.NewJobListParams().States(rivertype.JobStateRunning).First(1000)
	return func(ctx context.Context) ([]*rivertype.JobRow, error) {
		res, err := client.JobList(ctx, params)
		if err != nil {
			return nil, err
		}
		return res.Jobs, nil
	}
}

// quiet keeps River's own info logs out of the service log.
func quiet(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// insertOpts makes one River job per import with 100 attempts: each slice
// of a long import is an attempt (see importWorker.Timeout).
func insertOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 100,
		// One queued River job per import: starting twice enqueues once.
		UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// InsertTx implements store.Enqueuer: it inserts the import's River job
// inside tx, the driver transaction of a store Jobs transaction.
func (q *RiverQueue[TTx]) InsertTx(ctx context.Context, tx TTx, tenantID, importID int64, pass int) error {
	if _, err := q.client.InsertTx(ctx, tx, ImportArgs{TenantID: tenantID, ImportID: importID, Pass: pass}, insertOpts()); err != nil {
		return fmt.Errorf("enqueue import %d: %w", importID, err)
	}
	return nil
}

// EnqueueTx implements Queue: tx.Enqueue (see Queue.EnqueueTx). tx is the
// transaction of tenantID, so tenantID is not needed here.
func (q *RiverQueue[TTx]) EnqueueTx(ctx context.Context, tx store.JobTx, _, importID int64) error {
	return tx.Enqueue(ctx, importID)
}

// EnqueuePassTx is EnqueueTx for a later pass of an import (a started
// preview), which is a River job of its own.
func (q *RiverQueue[TTx]) EnqueuePassTx(ctx context.Context, tx store.JobTx, _, importID int64, pass int) error {
	return tx.EnqueuePass(ctx, importID, pass)
}

func (q *RiverQueue[TTx]) Start(ctx context.Context) error {
	if q.rescue != nil {
		// Before the workers fetch: the jobs a dead process left running
		// are available at their first fetch.
		if err := q.rescue.start(ctx); err != nil {
			return fmt.Errorf("start heartbeats: %w", err)
		}
	}
	return q.client.Start(ctx)
}

// Stop lets running jobs end (an import stops after the chunk in flight
// when its service's Stopping is closed) until ctx is done, then cancels
// what still runs; their jobs resume later from their checkpoint.
func (q *RiverQueue[TTx]) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(hard)
	}
	if q.rescue != nil {
		err = errors.Join(err, q.rescue.stop(ctx))
	}
	return err
}
