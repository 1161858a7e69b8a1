// Package jobs runs import jobs: it reads an upload from blob storage,
// maps its rows, and drives the import engine in chunks, each committed
// together with the job's checkpoint. River schedules it (river.go); the
// Runner itself knows nothing of River, HTTP or SQL.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"gocloud.dev/blob"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/source"
	"github.com/intake/intake/internal/store"
)

// DefaultChunkSize is how many rows one transaction carries. Measured with
// BenchmarkJobChunk: beyond ~2000 rows a chunk gains under 5 % on either
// store while progress and cancel get coarser and a resumed job redoes more.
const DefaultChunkSize = 2000

// Runner executes import jobs.
type Runner struct {
	Store  store.Store
	Engine *importer.Engine
	Bucket *blob.Bucket
	Logger *slog.Logger
	// ChunkSize is the rows per transaction; default DefaultChunkSize.
	ChunkSize int

	// afterChunk, when set (tests), runs after each committed chunk.
	afterChunk func(intake.Import)
}

// errFinished means the job needs no (more) work.
var errFinished = errors.New("import already finished")

// Run executes (or resumes) one import job until it is completed, failed
// or cancelled. It returns an error only for infrastructure failures, which
// the queue retries; a resumed run starts after the last checkpoint.
func (r *Runner) Run(ctx context.Context, tenantID, id int64) error {
	im, err := r.Store.UpdateImport(ctx, tenantID, id, func(im *intake.Import) error {
		switch im.Status {
		case intake.StatusQueued, intake.StatusRunning:
		case intake.StatusAwaitingMapping:
			return intake.Errorf(intake.ESTATE, "Import %d is awaiting its mapping.", id)
		default:
			return errFinished
		}
		im.Status = intake.StatusRunning
		if im.StartedAt == nil {
			now := time.Now().UTC()
			im.StartedAt = &now
		}
		return nil
	})
	switch {
	case errors.Is(err, errFinished), intake.ErrorCode(err) == intake.ESTATE:
		return nil
	case err != nil:
		return fmt.Errorf("start import %d: %w", id, err)
	}
	err = r.run(ctx, &im)
	var serr *source.Error
	switch {
	case errors.As(err, &serr):
		// The file itself is unusable: the job fails, with the reason.
		return r.finish(ctx, &im, intake.StatusFailed, serr.Message)
	case errors.Is(err, errCancelled):
		return nil
	case err != nil:
		return err
	}
	return r.finish(ctx, &im, intake.StatusCompleted, "")
}

var errCancelled = errors.New("import cancelled")

// Fail marks a job failed with msg, unless it has already ended.
func (r *Runner) Fail(ctx context.Context, tenantID, id int64, msg string) error {
	_, err := r.Store.UpdateImport(ctx, tenantID, id, func(im *intake.Import) error {
		if im.Status.Final() {
			return errFinished
		}
		now := time.Now().UTC()
		im.Status, im.Error, im.FinishedAt = intake.StatusFailed, msg, &now
		return nil
	})
	if err != nil && !errors.Is(err, errFinished) {
		return fmt.Errorf("fail import %d: %w", id, err)
	}
	return nil
}

func (r *Runner) finish(ctx context.Context, im *intake.Import, status intake.ImportStatus, msg string) error {
	_, err := r.Store.UpdateImport(ctx, im.TenantID, im.ID, func(cur *intake.Import) error {
		if cur.Status != intake.StatusRunning {
			return errFinished
		}
		now := time.Now().UTC()
		cur.Status, cur.Error, cur.FinishedAt = status, msg, &now
		return nil
	})
	if err != nil && !errors.Is(err, errFinished) {
		return fmt.Errorf("finish import %d: %w", im.ID, err)
	}
	return nil
}

// open opens the upload and a row reader over it.
func (r *Runner) open(ctx context.Context, im *intake.Import) (source.Reader, io.Closer, error) {
	rd, err := r.Bucket.NewReader(ctx, im.FileKey, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("open upload %s: %w", im.FileKey, err)
	}
	src, err := source.Open(rd, SourceOptions(im))
	if err != nil {
		rd.Close()
		return nil, nil, err
	}
	return src, rd, nil
}

// SourceOptions are the reader options an import was created with.
func SourceOptions(im *intake.Import) source.Options {
	o := source.Options{Format: source.Format(im.Format), Name: im.FileName, Encoding: im.Encoding, Sheet: im.Sheet}
	if im.Delimiter != "" {
		o.Delimiter = []rune(im.Delimiter)[0]
	}
	return o
}

// columns maps each column index to its Intake field ("" = not imported).
// Keys a JSON file adds after its first object were not there when the
// mapping was made: they map by name, as unmapped headers do at upload.
func columns(im *intake.Import, header []string) []string {
	cols := make([]string, len(header))
	for i, h := range header {
		cols[i] = im.Options.Mapping[h]
		if i >= len(im.Headers) && cols[i] == "" {
			cols[i], _ = importer.AutoField(h)
		}
	}
	return cols
}

// record turns a row into an engine record through the column mapping.
func record(row source.Row, cols []string) importer.Record {
	fields := make(map[string]string, len(cols))
	for i, v := range row.Values {
		if i < len(cols) && cols[i] != "" {
			fields[cols[i]] = v
		}
	}
	return importer.Record{Index: row.Number, Fields: fields}
}

func (r *Runner) run(ctx context.Context, im *intake.Import) error {
	if im.Region != "" && im.Region != r.Engine.Region {
		// The import's own phone region wins over the server default.
		eng := *r.Engine
		eng.Region = im.Region
		job := *r
		job.Engine = &eng
		r = &job
	}
	opts := im.Options
	// Pass 1: count the rows and find in-file duplicates. It only parses and
	// normalises match keys (no writes), so it is cheap next to the import,
	// and it is deterministic: a resumed job computes the same verdicts.
	dups := importer.NewDuplicates()
	total, err := r.scan(ctx, im, func(row source.Row, cols []string) {
		if row.Err == nil {
			dups.Add(r.Engine.MatchKey(opts, record(row, cols)), row.Number)
		}
	})
	if err != nil {
		return err
	}
	dups.Seal()
	im.TotalRows = total

	if !opts.SkipOnError && opts.Mode != intake.ModeValidate {
		failures, err := r.allOrNothing(ctx, im, dups)
		if err != nil || failures == nil {
			return err
		}
		_, err = r.process(ctx, im, dups, passReject, failures)
		return err
	}
	_, err = r.process(ctx, im, dups, passWrite, nil)
	return err
}

var errRejectAll = errors.New("a row failed and skip_on_error is false")

// allOrNothing runs a skip_on_error=false import: the whole file in one
// transaction, each chunk deciding against the writes of the chunks before
// it, committed only if no row failed. It returns nil failures when it
// committed, and otherwise the errors of the failed rows (by row number),
// for the report pass; nothing is written then. Its report rows are held in
// memory until the commit, and on SQLite it holds the write lock throughout.
func (r *Runner) allOrNothing(ctx context.Context, im *intake.Import, dups *importer.Duplicates) (map[int][]intake.RowError, error) {
	src, closer, err := r.open(ctx, im)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	defer src.Close()
	reverse := reverseMapping(im)
	ctx, cancel := context.WithCancel(ctx)
	chunks := make(chan prepared, 1)
	readErr := make(chan error, 1)
	job := *im // the reader's own copy: commit rewrites *im after each chunk
	go func() {
		defer close(chunks)
		readErr <- r.read(ctx, &job, src, dups, 0, r.chunkSize(), chunks)
	}()
	defer func() {
		cancel()
		for range chunks { // let the reader finish
		}
	}()
	failures := map[int][]intake.RowError{}
	next := counted{*im}
	next.ProcessedRows, next.Created, next.Updated, next.Deleted, next.Skipped, next.FailedRows = 0, 0, 0, 0, 0, 0
	var report []intake.ImportRowError
	err = r.Store.Write(ctx, im.TenantID, func(tx store.Tx) error {
		for c := range chunks {
			plan, err := importer.DecideBatch(ctx, tx, im.Options, c.items)
			if err != nil {
				return err
			}
			if err := plan.Write(ctx, tx); err != nil {
				return err
			}
			next.add(c.items)
			report = append(report, rowErrors(c.items, c.rows, reverse)...)
			for _, it := range c.items {
				if it.Failed() {
					failures[it.Index] = itemErrors(it)
				}
			}
		}
		if err := <-readErr; err != nil {
			return err
		}
		if len(failures) > 0 || im.ProcessedRows > 0 {
			return errRejectAll
		}
		return tx.SaveImportProgress(ctx, &next.Import, 0, report)
	})
	switch {
	case err == nil:
		*im = next.Import
		return nil, nil
	case errors.Is(err, errRejectAll):
		return failures, nil
	}
	return nil, err
}

// counted is an import whose counters a chunk's outcomes are added to.
type counted struct{ intake.Import }

func (c *counted) add(items []*importer.Item) {
	var res importer.Result
	res.Count(items)
	c.ProcessedRows += len(items)
	c.Created += res.Created
	c.Updated += res.Updated
	c.Deleted += res.Deleted
	c.Skipped += res.Skipped
	c.FailedRows += res.Failed
}

func itemErrors(it *importer.Item) []intake.RowError {
	if len(it.Errs) > 0 {
		return it.Errs
	}
	if it.Err != nil {
		return []intake.RowError{*it.Err}
	}
	return nil
}

func reverseMapping(im *intake.Import) map[string]string {
	reverse := map[string]string{}
	for h, f := range im.Options.Mapping {
		reverse[f] = h
	}
	return reverse
}

func (r *Runner) chunkSize() int {
	if r.ChunkSize <= 0 {
		return DefaultChunkSize
	}
	return r.ChunkSize
}

// scan reads the whole file once, calling fn for every row, and returns the
// number of data rows.
func (r *Runner) scan(ctx context.Context, im *intake.Import, fn func(source.Row, []string)) (int, error) {
	src, closer, err := r.open(ctx, im)
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	defer src.Close()
	cols := columns(im, src.Header())
	n := 0
	for {
		if n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		row, err := src.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if len(row.Values) > len(cols) && im.Format == string(source.FormatJSON) {
			cols = columns(im, src.Header())
		}
		n++
		fn(row, cols)
	}
}

type pass int

const (
	passWrite  pass = iota // decide, write, checkpoint
	passReject             // report every row as not written (failed ones with their reason), checkpoint
)

// process reads the file from the checkpoint on and handles it in chunks.
// It returns the number of failed rows it saw.
//
// Reading and normalising (phone parsing is most of the CPU) run in a
// goroutine one chunk ahead of the database transaction, so on a two-core
// machine parsing overlaps the writes instead of taking turns with them.
func (r *Runner) process(ctx context.Context, im *intake.Import, dups *importer.Duplicates, p pass, failures map[int][]intake.RowError) (int, error) {
	src, closer, err := r.open(ctx, im)
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	defer src.Close()
	reverse := reverseMapping(im)
	skip, size := im.ProcessedRows, r.chunkSize()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan prepared, 1)
	readErr := make(chan error, 1)
	job := *im // the reader's own copy: commit rewrites *im after each chunk
	go func() {
		defer close(chunks)
		readErr <- r.read(ctx, &job, src, dups, skip, size, chunks)
	}()
	failed := 0
	fast := false
	for c := range chunks {
		n, err := r.commit(ctx, im, c, reverse, p, failures, &fast)
		failed += n
		if err != nil {
			cancel()
			for range chunks { // let the reader finish
			}
			<-readErr
			return failed, err
		}
	}
	return failed, <-readErr
}

// prepared is a chunk of rows, normalised and given their duplicate
// verdicts, ready for its transaction.
type prepared struct {
	rows  []source.Row
	items []*importer.Item
}

// read reads rows after the first skip, prepares them in chunks of size
// and sends the chunks on out.
func (r *Runner) read(ctx context.Context, im *intake.Import, src source.Reader, dups *importer.Duplicates, skip, size int, out chan<- prepared) error {
	cols := columns(im, src.Header())
	var rows []source.Row
	send := func() error {
		if len(rows) == 0 {
			return nil
		}
		c := prepared{rows: rows, items: r.prepare(im.Options, dups, rows, cols)}
		rows = nil
		select {
		case out <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for n := 0; ; n++ {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if n < skip {
			continue
		}
		if len(row.Values) > len(cols) && im.Format == string(source.FormatJSON) {
			cols = columns(im, src.Header())
		}
		rows = append(rows, row)
		if len(rows) == size {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
}

// prepare normalises a chunk's rows and applies the duplicate policy.
func (r *Runner) prepare(opts intake.Options, dups *importer.Duplicates, rows []source.Row, cols []string) []*importer.Item {
	items := make([]*importer.Item, len(rows))
	for i, row := range rows {
		if row.Err != nil {
			code, msg := "unreadable_row", row.Err.Error()
			var re *source.RowError
			if errors.As(row.Err, &re) {
				code, msg = re.Code, re.Message
			}
			items[i] = &importer.Item{Index: row.Number, Outcome: intake.OutcomeFailed,
				Err: &intake.RowError{Index: row.Number, Code: code, Message: msg}}
			continue
		}
		it := r.Engine.Prepare(opts, record(row, cols))
		if !it.Failed() {
			if out, re := dups.Verdict(opts.Duplicates, it.Key, row.Number, "row", opts.MatchFields); re != nil {
				it.Outcome, it.Err = out, re
			}
		}
		items[i] = it
	}
	return items
}

// commit decides a prepared chunk against the store and commits its writes
// with the checkpoint in one transaction. It returns the chunk's failed rows.
//
// fast carries the optimistic mode from chunk to chunk: after a chunk whose
// lookup found none of its keys stored, the next chunks skip the lookup
// (importer.DecideAbsent) and rely on the unique indexes to say otherwise,
// falling back to lookups for the rest of the file the first time they do.
// Measured at 300k rows on PostgreSQL, the lookup was 27 % of the time.
func (r *Runner) commit(ctx context.Context, im *intake.Import, c prepared, reverse map[string]string, p pass, failures map[int][]intake.RowError, fast *bool) (int, error) {
	opts := im.Options
	rows, items := c.rows, c.items
	next := counted{*im}
	failed := 0
	err := r.Store.Write(ctx, im.TenantID, func(tx store.Tx) error {
		switch p {
		case passReject:
			for _, it := range items {
				if errs, ok := failures[it.Index]; ok {
					it.Outcome, it.Err, it.Errs = intake.OutcomeFailed, &errs[0], errs
				} else if !it.Failed() {
					it.Outcome, it.Err = intake.OutcomeSkipped, &intake.RowError{Index: it.Index, Code: intake.CodeNotWrittenBatch,
						Message: "Not written: skip_on_error is false and other rows failed."}
				}
			}
		case passWrite:
			if *fast {
				plan, undo := importer.DecideAbsent(opts, items)
				err := tx.Savepoint(ctx, func() error { return plan.Write(ctx, tx) })
				if err == nil {
					break
				}
				if intake.ErrorCode(err) != intake.ECONFLICT {
					return err
				}
				undo.Restore()
				*fast = false
			}
			plan, err := importer.DecideBatch(ctx, tx, opts, items)
			if err != nil {
				return err
			}
			if opts.Mode != intake.ModeValidate {
				if err := plan.Write(ctx, tx); err != nil {
					return err
				}
			}
			*fast = plan.Found == 0 && importer.Optimistic(opts)
		}
		for _, it := range items {
			if it.Failed() {
				failed++
			}
		}
		next.add(items)
		return tx.SaveImportProgress(ctx, &next.Import, im.ProcessedRows, rowErrors(items, rows, reverse))
	})
	switch {
	case intake.ErrorCode(err) == intake.ESTATE:
		cur, gerr := r.Store.GetImport(ctx, im.TenantID, im.ID)
		if gerr == nil && cur.Status == intake.StatusCancelled {
			return failed, errCancelled
		}
		return failed, fmt.Errorf("import %d: checkpoint moved under us: %w", im.ID, err)
	case err != nil:
		return failed, fmt.Errorf("import %d rows %d–%d: %w", im.ID, rows[0].Number, rows[len(rows)-1].Number, err)
	}
	*im = next.Import
	if r.afterChunk != nil {
		r.afterChunk(next.Import)
	}
	return failed, nil
}

// rowErrors turns the chunk's failed and skipped items into report rows.
func rowErrors(items []*importer.Item, rows []source.Row, reverse map[string]string) []intake.ImportRowError {
	var out []intake.ImportRowError
	for i, it := range items {
		if it.Outcome != intake.OutcomeFailed && it.Outcome != intake.OutcomeSkipped {
			continue
		}
		values := make([]string, len(rows[i].Values))
		for j, v := range rows[i].Values {
			values[j] = importer.Clean(v)
		}
		e := intake.ImportRowError{Row: rows[i].Number, Outcome: it.Outcome, Values: values}
		errs := it.Errs
		if len(errs) == 0 && it.Err != nil {
			errs = []intake.RowError{*it.Err}
		}
		if len(errs) > 0 {
			e.Code, e.Value = errs[0].Code, errs[0].Value
			e.Column = reverse[errs[0].Field]
			if e.Column == "" {
				e.Column = errs[0].Field
			}
			msgs := make([]string, len(errs))
			for j, x := range errs {
				msgs[j] = x.Message
			}
			e.Message = strings.Join(msgs, " ")
		}
		out = append(out, e)
	}
	return out
}
