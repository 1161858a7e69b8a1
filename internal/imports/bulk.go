package imports

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// MaxBulkRecords is the most records one synchronous bulk request may carry.
const MaxBulkRecords = 1000

// Bulk imports records sent in a request (Plandocket's bulk import),
// translated with reg, the tenant's fields, in one chunk: the same
// pipeline as a file, without checkpoints. It returns the result and every
// record's item, in request order. Errors: ETOOLARGE
// over MaxBulkRecords, EINVALID for the spec.
func (s *Service) Bulk(ctx context.Context, tenantID int64, reg *intake.Registry, spec intake.ImportSpec, recs []importer.Record) (importer.Result, []*importer.Item, error) {
	if len(recs) > MaxBulkRecords {
		return importer.Result{}, nil, intake.Errorf(intake.ETOOLARGE,
			"Too many records: %d sent, at most %d a call. Split the import, or upload a file to /api/v1/imports.", len(recs), MaxBulkRecords)
	}
	if err := s.checkEvent(ctx, tenantID, &spec); err != nil {
		return importer.Result{}, nil, err
	}
	eng := *s.Engine
	eng.ChunkSize = max(1, len(recs))
	var sink importer.Collect
	res, err := eng.Run(ctx, tenantID, spec, importer.Records(recs), &sink, importer.Options{Noun: "record", Registry: reg})
	if err != nil {
		return res, nil, fmt.Errorf("bulk import of %d records: %w", len(recs), err)
	}
	return res, sink.Items, nil
}

// BulkRecorded is Bulk that also keeps its trace (trace renders it from
// the result, in the dialect's terms) for the bulk-import list. The records
// are committed by then, so a trace that cannot be stored is logged, not
// returned: the caller must learn what was written. (Storing the trace in
// the records' own transaction needs a store.Tx method the store does not
// have yet.)
func (s *Service) BulkRecorded(ctx context.Context, tenantID int64, reg *intake.Registry, spec intake.ImportSpec, recs []importer.Record,
	trace func(importer.Result) intake.BulkImport) (importer.Result, []*importer.Item, error) {
	res, items, err := s.Bulk(ctx, tenantID, reg, spec, recs)
	if err != nil {
		return res, items, err
	}
	b := trace(res)
	if err := s.Store.RecordBulkImport(context.WithoutCancel(ctx), &b); err != nil {
		s.Logger.ErrorContext(ctx, "record bulk import", "err", err)
	}
	return res, items, nil
}
