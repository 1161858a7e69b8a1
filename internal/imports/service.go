// Package imports is the job lifecycle service: it creates import jobs
// (one create path for every dialect, Create: storing the upload and
// enqueuing the job in one transaction), analyses, configures, starts,
// cancels and reads them, runs them for the job queue, and runs bulk
// requests. It is the only caller of the import pipeline (importer.Run).
// The tenant's records outside jobs (contacts one by one, fields,
// collections, groups, locations, events, settings) are package
// directory's. HTTP handlers call it; it knows no HTTP and no SQL.
package imports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gocloud.dev/blob"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/notify"
	"github.com/intake/intake/internal/source"
	"github.com/intake/intake/internal/store"
)

// Queue schedules a job to run, inside the transaction that makes it
// runnable, so a job is never queued without its River job or the reverse.
type Queue interface {
	EnqueueTx(ctx context.Context, tx store.JobTx, tenantID, importID int64) error
}

// Defaults of Config.
const (
	DefaultMaxUploadBytes = 1 << 30
	DefaultMaxReportRows  = 100_000
	DefaultRetention      = 30 * 24 * time.Hour
	DefaultRegion         = importer.DefaultRegion
)

// Store is what the import service needs of a store: the job store (job
// transactions, reads, the retention sweep), the engine's part
// (importer.Store), the events a participants job names, and the record of
// a bulk import. Every store.Store is one; the change-set and mapping
// readers are optional (store.ChangeReader, store.Mappings).
type Store interface {
	store.JobStore
	importer.Store
	// GetEvent returns the event with key; ENOTFOUND if it is not the tenant's.
	GetEvent(ctx context.Context, tenantID int64, key string) (intake.Event, error)
	// RecordBulkImport records a synchronous bulk import (store.BulkImports).
	RecordBulkImport(ctx context.Context, b *intake.BulkImport) error
	// ListLocations pages the tenant's locations (PackageX location_id).
	ListLocations(ctx context.Context, tenantID, after int64, limit int) ([]intake.Location, error)
}

// Service runs imports.
type Service struct {
	Store  Store
	Engine *importer.Engine
	// Bucket keeps uploaded files.
	Bucket *blob.Bucket
	// Queue runs async jobs; set it before the first Create or Start.
	Queue  Queue
	Logger *slog.Logger
	// MaxUploadBytes caps one upload. Default DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// MaxReportRows caps the row errors stored per job; the counts stay
	// exact and Import.ErrorsOmitted says how many were left out. Default
	// DefaultMaxReportRows.
	MaxReportRows int
	// Retention is how long a job's upload and report are kept after it
	// ends (Sweep deletes them). Default DefaultRetention.
	Retention time.Duration
	// ParkedTTL is how long a job may await its mapping unchanged before
	// the sweep fails it and deletes its upload. Default DefaultParkedTTL.
	ParkedTTL time.Duration
	// MaxParkedBytes caps the upload bytes of a tenant's jobs awaiting their
	// mapping (parked.go). Default DefaultMaxParkedBytes.
	MaxParkedBytes int64
	// UploadDir is the bucket's local folder, whose stale *.tmp files
	// (uploads cut off by a crash) CleanTemp removes; "" skips it.
	UploadDir string
	// MaxXLSXUnzipped caps what a workbook may unpack to
	// (source.Options.MaxUnzippedBytes); 0 is the reader's default.
	MaxXLSXUnzipped int64
	// TempDir is where readers spool uploads they need random access to
	// (XLSX); "" is os.TempDir().
	TempDir string
	// LocationPrivate lets a location URL point at loopback, private and
	// link-local addresses. Off by default: otherwise any key could make
	// the server fetch from inside its own network (SSRF).
	LocationPrivate bool

	// Stopping, when closed, makes running jobs stop after the chunk in
	// flight commits and sync requests stop waiting: a graceful shutdown.
	Stopping <-chan struct{}
	// Observer, when set, is told of committed chunks and ended jobs
	// (metrics).
	Observer Observer
	// Followups, when set, writes webhook events and rebuilds selections
	// in the transactions of the changes (followups.go).
	Followups Followups
	// SyncPoll is how often a sync request checks whether its job has
	// ended; default 100 ms, or 2 s as the fallback of a Notifier.
	SyncPoll time.Duration
	// Notifier, when set, wakes a sync request when its job ends and a
	// running job when it is cancelled, in whichever process that happens;
	// polling is then only the fallback (see cancel.go).
	Notifier notify.Notifier

	// afterChunk, when set (tests), runs after each committed chunk of a
	// job with the rows processed so far.
	afterChunk func(processed int)
	// now, when set (tests), replaces the clock.
	now func() time.Time
	// cancelPoll, when set (tests), replaces defaultCancelPoll.
	cancelPoll time.Duration
}

// New returns a service over st, writing through a pipeline with the
// default phone region and chunk size given.
func New(st Store, bucket *blob.Bucket, region string, chunkSize int) *Service {
	if region == "" {
		region = DefaultRegion
	}
	return &Service{Store: st, Bucket: bucket, Engine: &importer.Engine{Store: st, Region: region, ChunkSize: chunkSize},
		Logger: slog.Default(), MaxUploadBytes: DefaultMaxUploadBytes}
}

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now().UTC()
	}
	return time.Now().UTC()
}

// Get returns one job; ENOTFOUND if it is not the tenant's.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	return s.Store.GetImport(ctx, tenantID, id)
}

// List returns up to limit jobs older than before (0 = newest), newest first.
func (s *Service) List(ctx context.Context, tenantID, before int64, limit int) ([]intake.Import, error) {
	return s.Store.ListImports(ctx, tenantID, before, limit)
}

// Errors returns up to limit row errors of a job after row afterRow;
// EGONE once retention deleted the report.
func (s *Service) Errors(ctx context.Context, tenantID, id int64, afterRow, limit int) ([]intake.RowError, error) {
	im, err := s.Store.GetImport(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return s.ErrorsOf(ctx, &im, afterRow, limit)
}

// ErrorsOf is Errors for a job the caller has read already.
func (s *Service) ErrorsOf(ctx context.Context, im *intake.Import, afterRow, limit int) ([]intake.RowError, error) {
	if err := ReportGone(im); err != nil {
		return nil, err
	}
	return s.Store.ListImportErrors(ctx, im.TenantID, im.ID, afterRow, limit)
}

// FirstErrors returns up to n of a job's row errors for its view: none
// when it has no report, or when retention deleted it (the job still
// shows; only its report routes answer 410).
func (s *Service) FirstErrors(ctx context.Context, im *intake.Import, n int) ([]intake.RowError, error) {
	if !im.HasReport() || im.ExpiredAt != nil {
		return nil, nil
	}
	return s.Store.ListImportErrors(ctx, im.TenantID, im.ID, 0, n)
}

// createJob makes a job of an upload stored with Save: it reads the file's
// header, resolves the mapping, and stores the job, enqueued in the same
// transaction when it can start. A request with Sync is queued the same
// way, so it waits for a worker like any job (--workers bounds how many run
// at once) and resumes after a crash like any job; the request waits for
// the job to end (see wait) and answers with it. Until the job exists a rejected upload is deleted; after, the
// file belongs to the job. Errors: EINVALID (options, mapping), EUNSUPPORTED
// (the file).
func (s *Service) createJob(ctx context.Context, tenantID int64, up Upload, req intake.ImportRequest, reg *intake.Registry) (intake.Import, error) {
	im := intake.Import{TenantID: tenantID, FileName: up.Name, FileKey: up.Key, FileSize: up.Size,
		Format: req.Format, Delimiter: req.Delimiter, Encoding: req.Encoding, Sheet: req.Sheet}
	if im.Format == "" {
		im.Format = up.Format
	}
	im.Spec.HeaderRow, im.Spec.Path = req.Spec.HeaderRow, req.Spec.Path
	err := s.checkEvent(ctx, tenantID, &req.Spec)
	switch {
	case err != nil:
	case analyzeInJob(up, im.Format):
		// DESIGN §4a: a request does bounded work only. A workbook's
		// header needs its shared strings, a location a download: the job
		// reads them (analyze) and configures itself.
		im.Name = req.Name
		err = im.Analyze(req.Spec, intake.Analysis{Location: up.Location, Columns: req.Columns, Autostart: req.Autostart,
			Unattended: req.Unattended})
	default:
		if err = s.readHeader(ctx, &im); err == nil {
			err = s.learn(ctx, tenantID, im.Headers, &req)
		}
		if err == nil {
			err = s.configure(&im, req, true, reg)
		}
		im.Warnings = append(req.Warnings, im.Warnings...)
	}
	runnable := im.Status == intake.StatusQueued || im.Status == intake.StatusAnalyzing
	if err == nil {
		err = s.Store.Jobs(ctx, tenantID, func(tx store.JobTx) error {
			if err := s.checkParked(ctx, tx, &im); err != nil {
				return err
			}
			if err := tx.CreateImport(ctx, &im); err != nil || !runnable {
				return err
			}
			return s.Queue.EnqueueTx(ctx, tx, tenantID, im.ID)
		})
	}
	if err != nil {
		s.Discard(ctx, up)
		return im, err
	}
	s.remember(ctx, im, req)
	if runnable && req.Sync {
		return s.wait(ctx, tenantID, im.ID)
	}
	return im, nil
}

// analyzeInJob says whether an upload is analysed by its job rather than
// in the request: a remote location, or a workbook.
func analyzeInJob(up Upload, format string) bool {
	if format == "" {
		format = up.Sniffed
	}
	return up.Location != "" || format == string(source.FormatXLSX)
}

// readHeader opens a stored upload to learn its header and what was detected.
func (s *Service) readHeader(ctx context.Context, im *intake.Import) error {
	rd, err := s.Bucket.NewReader(ctx, im.FileKey, nil)
	if err != nil {
		return fmt.Errorf("open upload: %w", err)
	}
	defer rd.Close()
	src, err := source.OpenContext(ctx, rd, s.sourceOptions(im))
	if err != nil {
		return err
	}
	defer src.Close()
	im.Headers = src.Header()
	im.Spec.Recognition = &intake.Recognition{PreviewRows: previewRows(src)}
	if d, ok := src.(interface{ Info() source.Info }); ok {
		info := d.Info()
		im.Format, im.Encoding, im.Sheet = string(info.Format), info.Encoding, info.Sheet
		// The row found is kept, so that every later read of the file
		// (each attempt of the job) uses the same header.
		im.Spec.HeaderRow, im.Spec.Path = info.HeaderRow, info.Path
		if info.Delimiter != 0 {
			im.Delimiter = string(info.Delimiter)
		}
	}
	return nil
}

// configure applies a request to a new or waiting job: spec, mapping and
// the status they allow. With remap the mapping is resolved again from the
// job's headers and the request's columns (with reg, the tenant's fields);
// otherwise the job keeps its own.
func (s *Service) configure(im *intake.Import, req intake.ImportRequest, remap bool, reg *intake.Registry) error {
	spec := req.Spec
	spec.Mapping, spec.HeaderRow, spec.Path, spec.Recognition = im.Spec.Mapping, im.Spec.HeaderRow, im.Spec.Path, im.Spec.Recognition
	if coll, ok := intake.ParseCollectionResource(spec.Resource); ok {
		// Whatever dialect routed here: a collection matches on its key
		// fields, and those are what its columns must provide.
		keys, err := reg.ParseCollectionMatchFields(coll, spec.MatchFields...)
		if err != nil {
			return intake.Invalid(intake.ErrorMessage(err), intake.FieldError{Field: "match_fields", Message: intake.ErrorMessage(err)})
		}
		spec.MatchFields, spec.Required = keys, slices.Clone(keys)
	}
	var warnings []string
	if remap {
		var problems []intake.FieldError
		spec.Mapping, problems, warnings = s.recognize(&spec, req, reg, im.Headers)
		if len(problems) > 0 {
			msgs := make([]string, len(problems))
			for i, p := range problems {
				msgs[i] = p.Message
			}
			return intake.Invalid(strings.Join(msgs, " "), problems...)
		}
	}
	if spec.HeaderRow > 1 {
		warnings = append(warnings, fmt.Sprintf("The header is row %d; the %d rows above it are not imported (set header_row to choose another).", spec.HeaderRow, spec.HeaderRow-1))
	}
	missing := importer.MissingRequired(spec.Mapping, spec.Required)
	if len(missing) > 0 {
		msg := "Missing required headers: " + strings.Join(missing, ", ") + "."
		if req.Unattended {
			return unmapped(missing, req.Columns.ByHeader, im.Headers)
		}
		if req.Columns.Explicit() && req.LearnedFrom == nil {
			return intake.Invalid(msg, intake.FieldError{Field: "mapping", Message: msg})
		}
		warnings = append(warnings, msg+" Map columns to them with PATCH, then start the import.")
	}
	autostart := req.Autostart
	if remap && req.MappingStep && spec.Recognition != nil && spec.Recognition.Uncertain {
		autostart = false
		warnings = append(warnings, "Some columns could not be recognised surely (see columns): check the mapping, then start the import.")
	}
	if err := im.Configure(spec, missing, autostart); err != nil {
		return err
	}
	im.Name = req.Name
	if remap {
		im.Warnings = warnings
	}
	return nil
}

// Patch changes a job awaiting its mapping: req is the job's request with
// the patch applied (see a dialect's Patch). A patched job waits for Start
// even when it is complete now. Errors: ESTATE (the job is not waiting),
// EINVALID.
func (s *Service) Patch(ctx context.Context, tenantID, id int64, req intake.ImportRequest) (intake.Import, error) {
	reg, err := s.Engine.Registry(ctx, tenantID)
	if err != nil {
		return intake.Import{}, err
	}
	// A patch may turn the job into a participants import: refuse an
	// unknown event now, as an upload does, not when the job runs.
	if err := s.checkEvent(ctx, tenantID, &req.Spec); err != nil {
		return intake.Import{}, err
	}
	im, err := store.UpdateImport(ctx, s.Store, tenantID, id, func(im *intake.Import) error {
		if im.Status != intake.StatusAwaitingMapping {
			return intake.Errorf(intake.ESTATE, "Import %d is %s; only a job awaiting its mapping can be changed.", im.ID, im.Status)
		}
		if req.Remap {
			if req.Delimiter != "" {
				im.Delimiter = req.Delimiter
			}
			if req.Encoding != "" {
				im.Encoding = req.Encoding
			}
			if req.Sheet != "" {
				im.Sheet = req.Sheet
			}
			if req.Spec.HeaderRow > 0 {
				im.Spec.HeaderRow = req.Spec.HeaderRow
			}
			if req.Spec.Path != "" {
				im.Spec.Path = req.Spec.Path
			}
			if err := s.readHeader(ctx, im); err != nil {
				return err
			}
		}
		req.Autostart = false
		return s.configure(im, req, req.Remap, reg)
	})
	if err == nil {
		s.remember(ctx, im, req)
	}
	return im, err
}

// Start queues a job awaiting its mapping once its required fields are
// mapped, enqueuing it in the same transaction. Starting a queued or
// running job changes nothing. Errors: EINVALID (names the missing
// fields), ESTATE (the job has ended), ENOTFOUND.
func (s *Service) Start(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	var im intake.Import
	err := s.Store.Jobs(ctx, tenantID, func(tx store.JobTx) error {
		enqueue := false
		var err error
		im, err = tx.UpdateImport(ctx, id, func(im *intake.Import) error {
			if im.Format == BulkFormat && im.Status == intake.StatusPreviewed {
				// A bulk call's records were never stored: no job can read them again.
				return intake.Errorf(intake.ESTATE, "Import %d previewed a bulk call; send its records again without validate to write them.", im.ID)
			}
			var err error
			enqueue, err = im.Start(importer.MissingRequired(im.Spec.Mapping, im.Spec.Required))
			return err
		})
		if err != nil || !enqueue {
			return err
		}
		return s.enqueueStart(ctx, tx, &im)
	})
	return im, err
}

// Cancel ends a job that has not ended; a running one stops at its next
// chunk, and what earlier chunks wrote stays written. ESTATE if it has ended.
func (s *Service) Cancel(ctx context.Context, tenantID, id int64) (intake.Import, error) {
	im, err := s.update(ctx, tenantID, id, func(im *intake.Import) error { return im.Cancel(s.clock()) })
	if err == nil {
		s.changed(ctx, id) // its run, in any process, stops now
	}
	return im, err
}

// Fail marks a job failed with msg, unless it has already ended.
func (s *Service) Fail(ctx context.Context, tenantID, id int64, msg string) error {
	_, err := s.update(ctx, tenantID, id, func(im *intake.Import) error { return im.Fail(s.clock(), msg) })
	if err != nil && !errors.Is(err, intake.ErrImportEnded) {
		return fmt.Errorf("fail import %d: %w", id, err)
	}
	s.changed(ctx, id)
	return nil
}

// unmapped is the refusal of an unattended request (ImportRequest.
// Unattended) whose file has no column for required fields: it names each
// field (with the column the request named for it) and the file's columns.
func unmapped(missing []string, byHeader map[string]string, headers []string) error {
	names := make([]string, len(missing))
	fields := make([]intake.FieldError, len(missing))
	for i, f := range missing {
		names[i] = f
		for h, to := range byHeader {
			if to == f {
				names[i] = fmt.Sprintf("%s (column %q)", f, h)
			}
		}
		fields[i] = intake.FieldError{Field: "mapping", Value: f, Code: intake.CodeMissingRequired,
			Message: fmt.Sprintf("No column of the file maps to %s, which the import needs (a key or required field).", names[i])}
	}
	msg := fmt.Sprintf("The file has no column for %s, which the import needs (a key or required field); its columns are: %s.",
		strings.Join(names, ", "), strings.Join(headers, ", "))
	return intake.Invalid(msg, fields...)
}
