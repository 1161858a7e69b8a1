package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/source"
	"github.com/intake/intake/internal/store"
)

// Run executes (or resumes) one import job until it is completed, failed
// or cancelled: the job queue's entry point. It returns an error only for
// infrastructure failures, which the queue retries; a resumed run starts
// after the last checkpoint.
func (s *Service) Run(ctx context.Context, tenantID, id int64) (err error) {
	if err := s.analyze(ctx, tenantID, id); err != nil {
		return err
	}
	im, err := store.UpdateImport(ctx, s.Store, tenantID, id, func(im *intake.Import) error { return im.Begin(s.clock()) })
	switch {
	case errors.Is(err, intake.ErrImportEnded), intake.ErrorCode(err) == intake.ESTATE:
		return nil
	case err != nil:
		return fmt.Errorf("start import %d: %w", id, err)
	}
	began := time.Now()
	// One line per start: total_rows is 0 until a file's rows are counted
	// (a stream's length is learned by reading it), the rest is known now.
	s.Logger.InfoContext(ctx, "import running", "tenant_id", tenantID, "import_id", id, "kind", im.Kind, "file", im.FileName,
		"mode", im.Spec.Mode, "resource", im.Spec.Resource, "total_rows", im.TotalRows, "resume_at_row", im.ProcessedRows)
	defer func() { s.ended(ctx, tenantID, id, began, err) }()
	if im.Kind == intake.KindUndo {
		return s.runUndo(ctx, im)
	}
	return s.runFile(ctx, tenantID, id, im)
}

// runFile runs a begun file import through the engine from its last
// checkpoint, watching for a cancel, and settles the job by the outcome.
func (s *Service) runFile(ctx context.Context, tenantID, id int64, im intake.Import) error {
	resume := importer.Counts{Rows: im.ProcessedRows, Created: im.Created, Updated: im.Updated,
		Deleted: im.Deleted, Skipped: im.Skipped, Failed: im.FailedRows, Partial: im.PartialRows, ContactsCreated: im.ContactsCreated}
	// Keys a JSON file adds late map by the one rule, custom fields
	// included: the cursor and the engine share one read of the fields.
	reg, err := s.Engine.Registry(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("import %d: %w", id, err)
	}
	opt := importer.Options{Resume: resume, ImportID: id, Registry: reg, Stop: s.Stopping, Scans: blobScans{s: s, im: &im}}
	if err := s.applyingPreview(ctx, &im, &opt); err != nil {
		return fmt.Errorf("import %d: %w", id, err)
	}
	s.observe(&im, &opt)
	runCtx, stop := s.watchCancel(ctx, tenantID, id)
	defer stop()
	in := &fileInput{s: s, im: &im, reg: reg}
	res, err := s.Engine.Run(runCtx, tenantID, im.Spec, in, &checkpoint{im: im, max: s.maxReportRows(), followups: s.Followups}, opt)
	return s.settle(ctx, runCtx, tenantID, id, in, res, err)
}

// settle ends the job by how the engine's run ended: finished (with the
// run's warnings), cancelled, failed for an unusable file, or an error the
// queue retries.
func (s *Service) settle(ctx, runCtx context.Context, tenantID, id int64, in *fileInput, res importer.Result, err error) error {
	switch code := intake.ErrorCode(err); {
	case err != nil && errors.Is(context.Cause(runCtx), errCancelled):
		return nil // cancelled while it ran: its River job ends here
	case err == nil:
		_, err = s.update(ctx, tenantID, id, func(cur *intake.Import) error {
			cur.Warnings = append(cur.Warnings, endWarnings(cur, res.Warnings, in.footer)...)
			if cur.Spec.Previews() {
				return cur.FinishPreview(s.clock())
			}
			return cur.Finish(s.clock())
		})
	case code == intake.ESTATE:
		// The checkpoint refused to move: cancelled, or another worker.
		cur, gerr := s.Store.GetImport(ctx, tenantID, id)
		if gerr == nil && cur.Status == intake.StatusCancelled {
			return nil
		}
		return fmt.Errorf("import %d: checkpoint moved under us: %w", id, err)
	case code != intake.EINTERNAL:
		// The file itself is unusable: the job fails, with the reason.
		return s.Fail(ctx, tenantID, id, intake.ErrorMessage(err))
	default:
		return fmt.Errorf("import %d: %w", id, err)
	}
	if err != nil && !errors.Is(err, intake.ErrImportEnded) {
		return fmt.Errorf("finish import %d: %w", id, err)
	}
	return nil
}

// DiscardedNote is the warning of a job whose file was deleted when it
// ended (ImportSpec.DiscardUpload).
const DiscardedNote = "The uploaded file was deleted when the import ended (save_upload false): it cannot be downloaded or run again."

// endWarnings are a finished run's warnings: the pipeline's, the
// footer rows left out, and the file's deletion.
func endWarnings(im *intake.Import, run []string, footer []int) []string {
	out := slices.Clone(run)
	if w := footerWarning(footer); w != "" {
		out = append(out, w)
	}
	if im.Spec.DiscardUpload {
		out = append(out, DiscardedNote)
	}
	return out
}

// sourceOptions are the reader options a job was created with, and the
// service's temporary folder.
func (s *Service) sourceOptions(im *intake.Import) source.Options {
	o := source.Options{Format: source.Format(im.Format), Name: im.FileName, Encoding: im.Encoding, Sheet: im.Sheet,
		HeaderRow: im.Spec.HeaderRow, Path: im.Spec.Path, IsHeader: knownHeader, TempDir: s.TempDir, MaxUnzippedBytes: s.MaxXLSXUnzipped}
	if im.Delimiter != "" {
		o.Delimiter = []rune(im.Delimiter)[0]
	}
	return o
}

// knownHeader reports whether a cell names a contact field, by a known
// name or by the header model (any of its languages): the header search
// prefers the row with such cells.
func knownHeader(h string) bool {
	if _, ok := intake.SuggestField(h); ok {
		return true
	}
	_, ok := intake.ParseHeader(h)
	return ok
}

// fileInput is a job's upload as the pipeline's input.
type fileInput struct {
	s   *Service
	im  *intake.Import
	reg *intake.Registry
	// footer are the rows the reader dropped as a report's footer,
	// known once a cursor has read the file to its end.
	footer []int
}

// footerWarning says which rows were left out as a report's footer.
func footerWarning(rows []int) string {
	if len(rows) == 0 {
		return ""
	}
	nums := make([]string, len(rows))
	for i, n := range rows {
		nums[i] = fmt.Sprint(n)
	}
	return fmt.Sprintf("Rows %s at the end of the file read as a report's footer (totals, notes), not as records, and were not imported.", strings.Join(nums, ", "))
}

// Open implements importer.Input.
func (in *fileInput) Open(ctx context.Context) (importer.Cursor, error) {
	rd, err := in.s.Bucket.NewReader(ctx, in.im.FileKey, nil)
	if err != nil {
		return nil, fmt.Errorf("open upload %s: %w", in.im.FileKey, err)
	}
	src, err := source.OpenContext(ctx, rd, in.s.sourceOptions(in.im))
	if err != nil {
		rd.Close()
		return nil, err
	}
	c := &fileCursor{in: in, src: src, rd: rd, mapping: in.im.Spec.Mapping, resource: in.im.Spec.Resource, reg: in.reg,
		join: in.im.Spec.JoinGroup, location: in.im.Spec.JoinLocation}
	c.layout = importer.NewLayout(c.resource, c.reg, c.mapping, src.Header())
	return c, nil
}

type fileCursor struct {
	in       *fileInput
	src      source.Reader
	rd       io.Closer
	mapping  map[string]string
	resource string
	reg      *intake.Registry
	layout   *importer.Layout
	join     string // a group every row joins (ImportSpec.JoinGroup)
	location string // a location every row gets (ImportSpec.JoinLocation)
}

// Next implements importer.Cursor: a row through the column mapping.
func (c *fileCursor) Next() (importer.Record, error) {
	row, err := c.src.Next()
	if err == io.EOF {
		c.in.footer = source.DetectedOf(c.src).FooterRows
	}
	if err != nil {
		return importer.Record{}, err
	}
	if len(row.Values) > c.layout.Width() {
		// A JSON file's later objects can add keys: they map by the same rule.
		c.layout = importer.NewLayout(c.resource, c.reg, c.mapping, c.src.Header())
	}
	rec := importer.Record{Row: row.Number - c.in.im.Spec.RowOffset, Values: row.Values, Err: row.Err}
	if row.Err != nil {
		return rec, nil
	}
	rec.Fields = c.layout.Fields(row.Values)
	// Added to the row's own groups and locations, as a cell would list
	// them: the pipeline's one rule for memberships applies unchanged.
	joinList(rec.Fields, intake.FieldGroups, c.join)
	joinList(rec.Fields, intake.FieldLocations, c.location)
	return rec, nil
}

// joinList adds name to the list field of fields ("" adds nothing).
func joinList(fields map[string]string, field, name string) {
	if name == "" {
		return
	}
	if own := fields[field]; strings.TrimSpace(own) != "" {
		fields[field] = own + ";" + name
	} else {
		fields[field] = name
	}
}

func (c *fileCursor) Close() error { return errors.Join(c.src.Close(), c.rd.Close()) }

// checkpoint is a job's sink: each chunk's counters and report rows commit
// with the chunk, guarded by the job's previous checkpoint.
type checkpoint struct {
	im        intake.Import
	max       int       // report rows stored per job at most
	followups Followups // nil: none
}

// Commit implements importer.Sink.
func (c *checkpoint) Commit(ctx context.Context, tx store.Tx, ch importer.Chunk) error {
	next := c.im
	next.TotalRows, next.ProcessedRows = ch.Total, ch.Counts.Rows
	next.Created, next.Updated, next.Deleted = ch.Counts.Created, ch.Counts.Updated, ch.Counts.Deleted
	next.Skipped, next.FailedRows, next.PartialRows = ch.Counts.Skipped, ch.Counts.Failed, ch.Counts.Partial
	next.ContactsCreated = ch.Counts.ContactsCreated
	rows := report(ch.Items, &c.im)
	// A file of a million duplicates must not store a million report rows:
	// past the cap they are counted, not kept.
	if room := max(0, c.max-next.ErrorsStored); len(rows) > room {
		next.ErrorsOmitted += len(rows) - room
		rows = rows[:room]
	}
	next.ErrorsStored += len(rows)
	if err := tx.SaveImportProgress(ctx, &next, ch.From, rows); err != nil {
		return err
	}
	if c.followups != nil && c.im.Spec.Followups {
		if err := c.followups.Records(ctx, tx, &c.im, eventRecords(ch.Items)); err != nil {
			return err
		}
	}
	// A failed transaction ends the run, and a resumed run starts from the
	// stored job: carrying the counts on is safe.
	c.im.ErrorsStored, c.im.ErrorsOmitted = next.ErrorsStored, next.ErrorsOmitted
	return nil
}

// removedValues are a removed contact's cells under the file's headers
// (its email, customer number and name where the file has those columns),
// so errors.csv shows who was removed in the file's own shape.
func removedValues(it *importer.Item, im *intake.Import) []string {
	c, _ := it.Data.(*intake.Contact)
	values := make([]string, len(im.Headers))
	for j, h := range im.Headers {
		if c == nil {
			break
		}
		switch im.Spec.Mapping[h] {
		case intake.FieldEmail:
			values[j] = c.Email
		case intake.FieldCustomerNumber:
			values[j] = c.CustomerNumber
		case intake.FieldName:
			values[j] = c.Name
		}
	}
	return values
}

// report turns a chunk's failed and skipped items into report rows, with
// the column each error is about as the file names it.
func report(items []*importer.Item, im *intake.Import) []intake.RowError {
	column := map[string]string{}
	for h, f := range im.Spec.Mapping {
		if f != "" {
			column[f] = h
		}
	}
	var out []intake.RowError
	for _, it := range items {
		errs, outcome := it.Errs, it.Outcome
		switch {
		case outcome == intake.OutcomeFailed, outcome == intake.OutcomeSkipped, outcome == intake.OutcomeRemoved:
		case len(it.Partial) > 0 && (outcome == intake.OutcomeCreated || outcome == intake.OutcomeUpdated):
			errs, outcome = it.Partial, intake.OutcomePartial
		default:
			continue
		}
		values := make([]string, len(it.Values))
		for j, v := range it.Values {
			values[j] = importer.Clean(v)
		}
		e := intake.RowError{Row: it.Row, Outcome: outcome, Values: values}
		if it.Outcome == intake.OutcomeRemoved {
			e.Values = removedValues(it, im)
			if c, ok := it.Data.(*intake.Contact); ok {
				e.ContactID = c.ID
			}
		}
		if len(errs) > 0 {
			first := errs[0]
			e.Code, e.Value, e.Field = first.Code, first.Value, first.Field
			if e.Column = column[first.Field]; e.Column == "" {
				e.Column = first.Field
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
