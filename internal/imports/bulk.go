package imports

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// MaxBulkRecords is the most records one synchronous bulk request may carry.
const MaxBulkRecords = 1000

// BulkFormat is the Format of the job a bulk request runs as.
const BulkFormat = "bulk"

// Bulked is what a bulk request did: the pipeline's result, every
// record's item in request order, and the job it ran as.
type Bulked struct {
	Result importer.Result
	Items  []*importer.Item
	Import intake.Import
}

// Bulk imports records sent in a request (Plandocket's bulk import),
// translated with reg, the tenant's fields, in one chunk: the same
// pipeline as a file. The call runs as a job of its own (format "bulk",
// never queued: the request runs it), so it is recorded like a file import
// and can be undone and its changes listed, its follow-ups (record events
// with spec.Followups, the selections with spec.Rebuild, import.completed)
// are written in its transactions, and it shows in the imports list.
// Errors: ETOOLARGE over MaxBulkRecords, EINVALID for the spec.
func (s *Service) Bulk(ctx context.Context, tenantID int64, reg *intake.Registry, spec intake.ImportSpec, recs []importer.Record) (Bulked, error) {
	if len(recs) > MaxBulkRecords {
		return Bulked{}, intake.Errorf(intake.ETOOLARGE,
			"Too many records: %d sent, at most %d a call. Split the import, or upload a file to /api/v1/imports.", len(recs), MaxBulkRecords)
	}
	if err := s.checkEvent(ctx, tenantID, &spec); err != nil {
		return Bulked{}, err
	}
	im, err := s.bulkJob(ctx, tenantID, spec, len(recs))
	if err != nil {
		return Bulked{}, err
	}
	eng := *s.Engine
	eng.ChunkSize = max(1, len(recs))
	sink := &bulkSink{checkpoint: checkpoint{im: im, max: s.maxReportRows(), followups: s.Followups}}
	res, err := eng.Run(ctx, tenantID, spec, importer.Records(recs), sink, importer.Options{Noun: "record", Registry: reg, ImportID: im.ID})
	if err != nil {
		// The request failed; its job must not stay running.
		if ferr := s.Fail(context.WithoutCancel(ctx), tenantID, im.ID, intake.ErrorMessage(err)); ferr != nil {
			s.Logger.ErrorContext(ctx, "fail bulk job", "import_id", im.ID, "err", ferr)
		}
		return Bulked{Result: res, Import: im}, fmt.Errorf("bulk import of %d records: %w", len(recs), err)
	}
	im, err = s.update(context.WithoutCancel(ctx), tenantID, im.ID, func(cur *intake.Import) error {
		cur.Warnings = append(cur.Warnings, res.Warnings...)
		if cur.Spec.Previews() {
			return cur.FinishPreview(s.clock())
		}
		return cur.Finish(s.clock())
	})
	if err != nil {
		return Bulked{Result: res, Items: sink.Items, Import: im}, fmt.Errorf("finish bulk import %d: %w", im.ID, err)
	}
	return Bulked{Result: res, Items: sink.Items, Import: im}, nil
}

// bulkJob stores the job a bulk request runs as, already running: no
// worker picks it up (it is never enqueued), the request runs it.
func (s *Service) bulkJob(ctx context.Context, tenantID int64, spec intake.ImportSpec, n int) (intake.Import, error) {
	now := s.clock()
	resource := spec.Resource
	if resource == "" {
		resource = intake.ResourceContacts
	}
	im := intake.Import{TenantID: tenantID, Name: "Bulk " + resource, Status: intake.StatusRunning, Format: BulkFormat,
		Spec: spec, TotalRows: n, StartedAt: &now}
	if err := store.CreateImport(ctx, s.Store, &im); err != nil {
		return im, fmt.Errorf("store bulk job: %w", err)
	}
	return im, nil
}

// bulkSink is a bulk job's sink: the job's checkpoint (counts, report,
// record events) and the items for the answer.
type bulkSink struct {
	checkpoint
	importer.Collect
}

// Commit implements importer.Sink.
func (b *bulkSink) Commit(ctx context.Context, tx store.Tx, ch importer.Chunk) error {
	if err := b.checkpoint.Commit(ctx, tx, ch); err != nil {
		return err
	}
	return b.Collect.Commit(ctx, tx, ch)
}

// BulkRecorded is Bulk that also keeps its trace (trace renders it from
// the result, in the dialect's terms) for the bulk-import list. The records
// are committed by then, so a trace that cannot be stored is logged, not
// returned: the caller must learn what was written. (Storing the trace in
// the records' own transaction needs a store.Tx method the store does not
// have yet.)
func (s *Service) BulkRecorded(ctx context.Context, tenantID int64, reg *intake.Registry, spec intake.ImportSpec, recs []importer.Record,
	trace func(importer.Result) intake.BulkImport) (Bulked, error) {
	out, err := s.Bulk(ctx, tenantID, reg, spec, recs)
	if err != nil {
		return out, err
	}
	b := trace(out.Result)
	if err := s.Store.RecordBulkImport(context.WithoutCancel(ctx), &b); err != nil {
		s.Logger.ErrorContext(ctx, "record bulk import", "err", err)
	}
	return out, nil
}
