package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Resource is what an import writes: contacts today; participants, groups
// and collections are further implementations. The pipeline owns the order
// of things (clean, key, duplicates, decide, write, count, all-or-nothing);
// a resource owns what its records are.
type Resource interface {
	// Key returns a record's match key alone, cheaply, for the duplicate
	// scan: "" when a match value is missing. Prepare must give the same.
	Key(spec *intake.ImportSpec, rec Record) string
	// Prepare normalises a record into an item with its Data and Key. A
	// record that does not validate comes back failed, with every error.
	Prepare(spec *intake.ImportSpec, rec Record) *Item
	// Decide sets the outcome of every undecided item against the stored
	// records and returns the writes that carry it out, without writing.
	// With lookup false it decides as if none of the keys were stored
	// (only when Optimistic: a unique key then makes the write fail with
	// ECONFLICT instead of duplicating a record).
	Decide(ctx context.Context, tx store.Tx, spec *intake.ImportSpec, items []*Item, lookup bool) (Plan, error)
	// Optimistic reports whether spec allows deciding without a lookup.
	Optimistic(spec *intake.ImportSpec) bool
}

// Plan is a decided chunk's writes.
type Plan interface {
	// Write carries the plan out through tx; written items get their IDs.
	// A unique value taken after all is an ECONFLICT error.
	Write(ctx context.Context, tx store.Tx) error
	// Found is how many stored records the lookup returned.
	Found() int
}

// resource returns the Resource that writes spec's records, with reg the
// tenant's fields.
func (e *Engine) resource(spec *intake.ImportSpec, reg *intake.Registry, region string, importID int64) (Resource, error) {
	k, param, ok := KindOf(spec.Resource)
	if !ok {
		return nil, intake.Errorf(intake.EINVALID, "Resource %q cannot be imported; use %s.", spec.Resource, KindNames())
	}
	return k.newResource(spec, reg, region, param, importID)
}

// region is the phone region of numbers without a country code in rows
// that name no country of their own: the import's (given), else the
// tenant's default (its settings), else the engine's (the server's).
func (e *Engine) region(ctx context.Context, tenantID int64, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	s, err := e.Store.Settings(ctx, tenantID)
	if err != nil {
		return "", fmt.Errorf("read tenant settings: %w", err)
	}
	if s.Region != "" {
		return s.Region, nil
	}
	return e.Region, nil
}

// Registry returns the tenant's field registry: the built-in fields, the
// tenant's custom field definitions and its collections.
func (e *Engine) Registry(ctx context.Context, tenantID int64) (*intake.Registry, error) {
	fields, err := e.Store.ListFields(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load custom fields: %w", err)
	}
	colls, err := e.Store.ListCollections(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load collections: %w", err)
	}
	return intake.NewRegistry(fields, colls...), nil
}

func (e *Engine) chunkSize() int {
	if e.ChunkSize <= 0 {
		return DefaultChunkSize
	}
	return e.ChunkSize
}

// Run imports the records of in into tenantID's data as spec says: the one
// function every import runs through. A bulk request is a Run over a slice
// (one chunk, a sink that keeps the items); a file job is a Run over its
// upload, with a sink that checkpoints each chunk.
//
// With skip_on_error true (the default) each chunk commits on its own,
// with the sink's checkpoint, and a resumed Run (opt.Resume) starts after
// the last one. With skip_on_error false the whole input is decided and
// written in one transaction, committed only if no record failed; if one
// did, it is rolled back and a second pass reports every record as failed
// or not written (Result.Rejected). Validate mode decides and reports
// without writing.
//
// Errors are infrastructure failures or the input's own (an unusable file);
// bad records are data, in the items' outcomes.
func (e *Engine) Run(ctx context.Context, tenantID int64, spec intake.ImportSpec, in Input, sink Sink, opt Options) (Result, error) {
	// The tenant's fields are read once, at the start: a definition
	// changed while a job runs applies to the jobs started after it.
	reg := opt.Registry
	if reg == nil {
		var err error
		if reg, err = e.Registry(ctx, tenantID); err != nil {
			return Result{}, err
		}
	}
	region, err := e.region(ctx, tenantID, spec.Region)
	if err != nil {
		return Result{}, err
	}
	res, err := e.resource(&spec, reg, region, opt.ImportID)
	if err != nil {
		return Result{}, err
	}
	if err := checkRemoveMissing(&spec, opt); err != nil {
		return Result{}, err
	}
	p := &pass{e: e, tenantID: tenantID, spec: &spec, res: res, in: in, sink: sink, dups: NewDuplicates(), noun: opt.Noun,
		committed: opt.Committed, importID: opt.ImportID, stop: opt.Stop}
	defer func() { p.dups.Close() }() // its temporary files; p.dups may be replaced by then
	if p.noun == "" {
		p.noun = "row"
	}
	if err := p.setupRecording(ctx, opt); err != nil {
		return Result{}, err
	}
	// Pass 1: count the records and find in-file duplicates. It only
	// normalises match keys (no writes), and it is deterministic: a resumed
	// run computes the same verdicts, or loads them from opt.Scans.
	if err := p.scanOnce(ctx, opt.Scans); err != nil {
		return Result{}, err
	}
	if spec.SkipOnError {
		done, err := p.chunked(ctx, opt.Resume, nil)
		return Result{Counts: done, Total: p.total, Warnings: p.allWarnings()}, err
	}
	done, failures, err := p.allOrNothing(ctx, opt.Resume)
	if err != nil || failures == nil {
		return Result{Counts: done, Total: p.total, Warnings: p.allWarnings()}, err
	}
	done, err = p.chunked(ctx, opt.Resume, failures)
	return Result{Counts: done, Total: p.total, Rejected: true}, err
}

// pass is one Run's state.
type pass struct {
	e        *Engine
	tenantID int64
	spec     *intake.ImportSpec
	res      Resource
	in       Input
	sink     Sink
	dups     *Duplicates
	total    int
	noun     string
	// committed is Options.Committed.
	committed func(Chunk)
	importID  int64
	warnings  []string
	// stop is Options.Stop.
	stop <-chan struct{}
	// record, preview, previewed and moved: see record.go.
	record, preview, previewed bool
	// changes: written items carry their before → after (Item.Changes).
	changes bool
	moved   int
}

// allWarnings are the run's warnings and its resource's (a collection
// created on first use).
func (p *pass) allWarnings() []string {
	if w, ok := p.res.(interface{ Warnings() []string }); ok {
		return append(p.warnings, w.Warnings()...)
	}
	return p.warnings
}

// scan reads the whole input once, adding every record's key to the
// duplicate tracker, and returns the number of records.
func (p *pass) scan(ctx context.Context) (int, error) {
	cur, err := p.in.Open(ctx)
	if err != nil {
		return 0, err
	}
	defer cur.Close()
	n := 0
	for ; ; n++ {
		if n%4096 == 0 {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			if stopped(p.stop) {
				return n, ErrStopped
			}
		}
		rec, err := cur.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if rec.Err == nil {
			clean(&rec)
			key := p.res.Key(p.spec, rec)
			p.dups.Add(key, rec.Row)
			p.addAltKeys(key, rec)
		}
	}
}

// prepare normalises a chunk's records and applies the duplicate policy.
func (p *pass) prepare(recs []Record) []*Item {
	items := make([]*Item, len(recs))
	for i, rec := range recs {
		if rec.Err != nil {
			it := &Item{Row: rec.Row, Values: rec.Values}
			it.set(intake.OutcomeFailed, *rec.Err)
			items[i] = it
			continue
		}
		clean(&rec)
		it := p.res.Prepare(p.spec, rec)
		it.Values = rec.Values
		if !it.Failed() {
			p.duplicate(it, rec)
		}
		items[i] = it
	}
	return items
}

// read reads the records after the first skip, prepares them in chunks
// and sends the chunks on out. It runs one chunk ahead of the writes, so on
// a two-core machine parsing (phone numbers are most of the CPU) overlaps
// the database's work instead of taking turns with it.
func (p *pass) read(ctx context.Context, skip int, out chan<- []*Item) error {
	defer close(out)
	cur, err := p.in.Open(ctx)
	if err != nil {
		return err
	}
	defer cur.Close()
	size := p.e.chunkSize()
	var recs []Record
	send := func() error {
		if len(recs) == 0 {
			return nil
		}
		items := p.prepare(recs)
		recs = nil
		if err := p.dups.Err(); err != nil {
			return err
		}
		select {
		case out <- items:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for n := 0; ; n++ {
		rec, err := cur.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if n < skip {
			continue
		}
		recs = append(recs, rec)
		if len(recs) == size {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
}

// each runs fn for every prepared chunk after the first skip records,
// reading ahead in a goroutine. fn's error stops the reading.
func (p *pass) each(ctx context.Context, skip int, fn func([]*Item) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []*Item, 1)
	readErr := make(chan error, 1)
	go func() { readErr <- p.read(ctx, skip, chunks) }()
	for items := range chunks {
		if err := fn(items); err != nil {
			cancel()
			for range chunks { // let the reader finish
			}
			<-readErr
			return err
		}
	}
	return <-readErr
}

// chunked imports (or, with failures, reports as rejected) the records
// after done.Rows, each chunk in a transaction of its own with the sink's
// checkpoint. It returns the cumulative counts.
func (p *pass) chunked(ctx context.Context, done Counts, failures map[int][]intake.RowError) (Counts, error) {
	fast := false
	err := p.each(ctx, done.Rows, func(items []*Item) error {
		next := done
		err := p.e.Store.Write(ctx, p.tenantID, func(tx store.Tx) error {
			if failures != nil {
				reject(items, failures, p.noun)
			} else {
				all, err := p.applyChunk(ctx, tx, items, done.Rows, done, &fast)
				if err != nil {
					return err
				}
				items = all
			}
			next = done
			next.add(items)
			return p.sink.Commit(ctx, tx, Chunk{Items: items, From: done.Rows, Counts: next, Total: p.total})
		})
		if err != nil {
			return fmt.Errorf("rows %d–%d: %w", items[0].Row, items[len(items)-1].Row, err)
		}
		done = next
		if p.committed != nil {
			p.committed(Chunk{Items: items, From: next.Rows - len(items), Counts: next, Total: p.total})
		}
		if stopped(p.stop) && done.Rows < p.total {
			return ErrStopped
		}
		return nil
	})
	return done, err
}

// finish does a chunk's bookkeeping after its writes, in its transaction:
// it marks what the chunk saw and, after the last record (counts includes
// the chunk), removes what the input did not contain. It returns the
// chunk's items with the removed ones appended.
func (p *pass) finish(ctx context.Context, tx store.Tx, items []*Item, counts Counts) ([]*Item, error) {
	if err := p.markSeen(ctx, tx, items); err != nil {
		return nil, err
	}
	if counts.Rows < p.total {
		return items, nil
	}
	removed, err := p.removeMissing(ctx, tx, items[len(items)-1].Row, counts)
	if err != nil {
		return nil, err
	}
	return append(items, removed...), nil
}

// apply decides a chunk and, unless validating, writes it.
//
// fast carries the optimistic mode from chunk to chunk: after a chunk whose
// lookup found none of its keys stored, the next chunks skip the lookup and
// rely on the unique keys to say otherwise, falling back to lookups for the
// rest of the input the first time they do. Measured at 300k rows on
// PostgreSQL, the lookup was 27 % of the time.
func (p *pass) apply(ctx context.Context, tx store.Tx, items []*Item, fast *bool) error {
	write := p.spec.Mode != intake.ModeValidate || p.preview // a preview writes in a savepoint
	if *fast && write {
		undo := snapshot(items)
		err := tx.Savepoint(ctx, func() error {
			plan, err := p.res.Decide(ctx, tx, p.spec, items, false)
			if err != nil {
				return err
			}
			return plan.Write(ctx, tx)
		})
		if err == nil {
			return nil
		}
		if intake.ErrorCode(err) != intake.ECONFLICT {
			return err
		}
		undo.restore()
		*fast = false
	}
	plan, err := p.res.Decide(ctx, tx, p.spec, items, true)
	if err != nil {
		return err
	}
	if write {
		if err := plan.Write(ctx, tx); err != nil {
			return err
		}
	}
	*fast = write && plan.Found() == 0 && p.res.Optimistic(p.spec)
	return nil
}

var errReject = errors.New("a record failed and skip_on_error is false")

// allOrNothing runs a skip_on_error=false import: the whole input in one
// transaction, each chunk deciding against the writes of the chunks before
// it, committed only if no record failed. It returns nil failures when it
// committed, and otherwise the errors of the failed records by row, for the
// report pass; nothing is written then. On SQLite it holds the write lock
// throughout.
func (p *pass) allOrNothing(ctx context.Context, done Counts) (Counts, map[int][]intake.RowError, error) {
	failures := map[int][]intake.RowError{}
	next := done
	err := p.e.Store.Write(ctx, p.tenantID, func(tx store.Tx) error {
		fast := false
		err := p.each(ctx, 0, func(items []*Item) error {
			// A failure rolls the whole transaction back, so finishing
			// a chunk before its failures are counted writes nothing.
			from := next.Rows
			items, err := p.applyChunk(ctx, tx, items, from, next, &fast)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Failed() {
					failures[it.Row] = it.Errs
				}
			}
			if len(failures) > 0 || done.Rows > 0 {
				return nil // rejected (or an earlier attempt was): no checkpoints
			}
			next.add(items)
			return p.sink.Commit(ctx, tx, Chunk{Items: items, From: from, Counts: next, Total: p.total})
		})
		if err != nil {
			return err
		}
		if len(failures) > 0 || done.Rows > 0 {
			return errReject
		}
		return nil
	})
	switch {
	case err == nil:
		return next, nil, nil
	case errors.Is(err, errReject):
		return done, failures, nil
	}
	return done, nil, err
}

// reject reports a chunk of a rejected import: failed records keep their
// errors, every other one is not written.
func reject(items []*Item, failures map[int][]intake.RowError, noun string) {
	for _, it := range items {
		if errs, ok := failures[it.Row]; ok {
			it.set(intake.OutcomeFailed, slices.Clone(errs)...)
		} else if !it.Failed() {
			it.set(intake.OutcomeSkipped, intake.RowError{Code: intake.CodeNotWrittenBatch,
				Message: "Not written: skip_on_error is false and another " + noun + " failed."})
		}
		it.ID = 0
	}
}

// undo restores the decisions of a chunk when its optimistic write fails.
type undo []struct {
	it      *Item
	outcome intake.Outcome
	errs    []intake.RowError
	id      int64
}

func snapshot(items []*Item) undo {
	u := make(undo, len(items))
	for i, it := range items {
		u[i].it, u[i].outcome, u[i].errs, u[i].id = it, it.Outcome, it.Errs, it.ID
	}
	return u
}

func (u undo) restore() {
	for _, e := range u {
		e.it.Outcome, e.it.Errs, e.it.ID = e.outcome, e.errs, e.id
	}
}
