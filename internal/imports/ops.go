package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// Observer is told what jobs do, for metrics. Its methods must be cheap:
// they run in the import's goroutine.
type Observer interface {
	// ChunkCommitted reports a committed chunk's records by outcome
	// (created, updated, deleted, skipped, failed, removed) and how long
	// the chunk took to prepare and commit.
	ChunkCommitted(resource string, outcomes map[intake.Outcome]int, took time.Duration)
	// JobEnded reports a job that reached status after running for took
	// in this attempt.
	JobEnded(status intake.ImportStatus, took time.Duration)
}

// wait reads a sync request's job until it ends, the request is cancelled
// or the process stops (then it answers with the job as it is: queued or
// running, to be polled with GET), woken by the Notifier when the job ends
// and polling as the fallback. The job runs on the queue either way: a
// client that goes away does not stop it.
func (s *Service) wait(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	changed, every, stop := s.changes(id, s.SyncPoll, defaultSyncPoll, defaultSyncFallback)
	defer stop()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		im, err := s.Store.GetImport(ctx, tenantID, id)
		// A job that analysed its file and now waits for its mapping
		// answers too: nothing runs until someone maps it.
		if err != nil || im.Status.Final() || im.Status == intake.StatusAwaitingMapping {
			return im, err
		}
		select {
		case <-ctx.Done():
			return im, ctx.Err()
		case <-s.Stopping:
			return im, nil
		case <-changed:
		case <-t.C:
		}
	}
}

// scanKey is where a job's duplicate scan is kept: beside its upload.
func scanKey(im *intake.Import) string { return im.FileKey + ".scan" }

// blobScans keeps a job's duplicate scan in the upload bucket, beside the
// file: any worker that can read the upload can read it.
type blobScans struct {
	s  *Service
	im *intake.Import
}

// LoadScan implements importer.ScanStore.
func (b blobScans) LoadScan(ctx context.Context) ([]byte, bool, error) {
	data, err := b.s.Bucket.ReadAll(ctx, scanKey(b.im))
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", scanKey(b.im), err)
	}
	return data, true, nil
}

// SaveScan implements importer.ScanStore.
func (b blobScans) SaveScan(ctx context.Context, data []byte) error {
	return b.s.Bucket.WriteAll(ctx, scanKey(b.im), data, nil)
}

// forgetScan deletes a job's kept scan once the job has ended.
func (s *Service) forgetScan(ctx context.Context, im *intake.Import) {
	if err := s.Bucket.Delete(context.WithoutCancel(ctx), scanKey(im)); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		s.Logger.WarnContext(ctx, "delete duplicate scan", "import_id", im.ID, "err", err)
	}
}

// observe wires a run's chunk reports to the Observer and the test hook.
func (s *Service) observe(im *intake.Import, opt *importer.Options) {
	last := time.Now()
	opt.Committed = func(ch importer.Chunk) {
		if s.Observer != nil {
			outcomes := map[intake.Outcome]int{}
			for _, it := range ch.Items {
				outcomes[it.Outcome]++
			}
			now := time.Now()
			s.Observer.ChunkCommitted(im.Spec.Resource, outcomes, now.Sub(last))
			last = now
		}
		if s.afterChunk != nil {
			s.afterChunk(ch.Counts.Rows)
		}
	}
}

// ended reports a run's end: the Observer, the log, the kept scan.
func (s *Service) ended(ctx context.Context, tenantID, id int64, began time.Time, runErr error) {
	im, err := s.Store.GetImport(context.WithoutCancel(ctx), tenantID, id)
	if err != nil {
		return
	}
	log := s.Logger.With("tenant_id", tenantID, "import_id", id)
	if !im.Status.Final() {
		if errors.Is(runErr, importer.ErrStopped) {
			log.InfoContext(ctx, "import paused for shutdown", "processed_rows", im.ProcessedRows, "total_rows", im.TotalRows)
		} else if runErr != nil {
			log.WarnContext(ctx, "import attempt failed; it will resume", "processed_rows", im.ProcessedRows, "err", runErr)
		}
		return
	}
	if im.Spec.DiscardUpload {
		// save_upload false: the file goes before anyone hears the job ended.
		s.Discard(ctx, Upload{Key: im.FileKey})
	}
	s.changed(ctx, id) // its sync request, in any process, answers now
	took := time.Since(began)
	log.InfoContext(ctx, "import ended", "status", im.Status, "file", im.FileName, "rows", im.TotalRows, "processed_rows", im.ProcessedRows,
		"created", im.Created, "updated", im.Updated, "skipped", im.Skipped, "failed_rows", im.FailedRows,
		"took", took.Round(time.Millisecond), "rows_per_s", int(float64(im.ProcessedRows)/max(took.Seconds(), 0.001)))
	if s.Observer != nil {
		s.Observer.JobEnded(im.Status, time.Since(began))
	}
	s.forgetScan(ctx, &im)
}
