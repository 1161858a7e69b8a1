package intake

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ImportStatus is where an import job is in its life.
type ImportStatus string

// Import statuses. completed is final even when rows failed (HasErrors says
// so); failed means the file itself could not be used.
const (
	// StatusAnalyzing: the job is finding the table and the mapping of a
	// file the request could not read within its bounds (a workbook, a
	// remote location); see DESIGN §4a.
	StatusAnalyzing       ImportStatus = "analyzing"
	StatusAwaitingMapping ImportStatus = "awaiting_mapping"
	StatusQueued          ImportStatus = "queued"
	StatusRunning         ImportStatus = "running"
	StatusCompleted       ImportStatus = "completed"
	StatusFailed          ImportStatus = "failed"
	StatusCancelled       ImportStatus = "cancelled"
	// StatusPreviewed is a preview that finished: its change set is stored
	// and nothing was written; Start applies it.
	StatusPreviewed ImportStatus = "previewed"
)

// KindUndo is the Kind of an import that takes another one back.
const KindUndo = "undo"

// Final reports whether s is an end state.
func (s ImportStatus) Final() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled || s == StatusPreviewed
}

// Import is an import job: an uploaded file, how to read and map it, and
// its progress. ProcessedRows is also the checkpoint: the number of data
// rows whose outcome is committed, so a resumed job starts after them.
//
// Its status changes only through its methods (Analyze, Configure, Start,
// Begin, Cancel, Finish, Fail), which hold the job's state machine:
//
//	analyzing ──Configure──▶ awaiting_mapping ──Start──▶ queued ──Begin──▶ running ──Finish──▶ completed
//	    │  └──────Configure (complete, autostart)──────────▶ │                 │  └──Fail────▶ failed
//	    ├──Fail──▶ failed   ▲  │Configure                    │                 │
//	    └──Cancel──▶ cancelled └──┘                          └───Cancel────────┴────Cancel────▶ cancelled
type Import struct {
	ID            int64        `json:"id"`
	TenantID      int64        `json:"-"`
	Name          string       `json:"name,omitempty"`
	Status        ImportStatus `json:"status"`
	FileName      string       `json:"file_name,omitempty"`
	FileKey       string       `json:"-"`
	FileSize      int64        `json:"file_size"`
	Format        string       `json:"format"`
	Delimiter     string       `json:"delimiter,omitempty"`
	Encoding      string       `json:"encoding,omitempty"`
	Sheet         string       `json:"sheet,omitempty"`
	Spec          ImportSpec   `json:"options"`
	Headers       []string     `json:"headers"`
	TotalRows     int          `json:"total_rows"`
	ProcessedRows int          `json:"processed_rows"`
	Created       int          `json:"created"`
	Updated       int          `json:"updated"`
	Deleted       int          `json:"deleted"`
	Skipped       int          `json:"skipped"`
	FailedRows    int          `json:"failed_rows"`
	// PartialRows are rows written without some invalid fields (counted in
	// Created or Updated too); the error report lists them as partial.
	PartialRows int        `json:"partial_rows"`
	Warnings    []string   `json:"warnings,omitempty"`
	Error       string     `json:"error,omitempty"` // why the job failed
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`

	// ContactsCreated counts the contacts a participants job created
	// (its other counts are of participants).
	ContactsCreated int `json:"contacts_created"`

	// ErrorsStored counts the report rows kept; past the service's cap the
	// rest are counted in ErrorsOmitted only (the counts above stay exact).
	ErrorsStored  int `json:"-"`
	ErrorsOmitted int `json:"errors_omitted"`
	// ExpiredAt is when retention deleted the job's upload and report.
	ExpiredAt *time.Time `json:"expired_at,omitempty"`
	// Kind is "" for an import of rows and KindUndo for an undo, which
	// restores what import UndoOf changed.
	Kind   string `json:"kind,omitempty"`
	UndoOf int64  `json:"undo_of,omitempty"`
	// UndoneAt and UndoID are set on an import an undo has taken back.
	UndoneAt *time.Time `json:"undone_at,omitempty"`
	UndoID   int64      `json:"undo_id,omitempty"`
	// PreviewedAt is when the job's preview finished; a started preview
	// keeps it, and its run compares what it writes with the preview.
	PreviewedAt *time.Time `json:"previewed_at,omitempty"`
	// Force (an undo's) restores records changed since the import too.
	Force bool `json:"force,omitempty"`
	// ReportExpired says the report is gone (ExpiredAt is set); the API
	// shows it, the stores do not keep it.
	ReportExpired bool `json:"report_expired"`
}

// HasReport reports whether the job's error report has rows: failed or
// skipped rows, rows written in part, or contacts remove_missing removed.
func (im *Import) HasReport() bool {
	return im.FailedRows+im.Skipped+im.PartialRows > 0 || (im.Spec.RemoveMissing && im.Deleted > 0)
}

// Progress is the share of rows processed, 0–100.
func (im *Import) Progress() int {
	switch {
	case im.Status == StatusCompleted:
		return 100
	case im.TotalRows <= 0:
		return 0
	}
	return min(100, im.ProcessedRows*100/im.TotalRows)
}

// ErrImportEnded is returned by Begin, Finish and Fail for a job that has
// already ended (or, for Finish, is not running): there is nothing to do.
var ErrImportEnded = errors.New("import already ended")

// Analysis is what a job in status analyzing still has to do before it
// can be configured: fetch its file (Location) and read its header, then
// map it with the request's columns.
type Analysis struct {
	// Location is a remote file's URL (Copernica's location), fetched by
	// the job; "" when the upload is stored already.
	Location  string        `json:"location,omitempty"`
	Columns   ColumnMapping `json:"columns"`
	Autostart bool          `json:"autostart"`
	// Unattended is the request's ImportRequest.Unattended.
	Unattended bool `json:"unattended,omitempty"`
}

// Analyze makes a new job wait for its analysis (status analyzing), with
// spec as requested and what the analysis needs. Only a new job can
// (ESTATE).
func (im *Import) Analyze(spec ImportSpec, a Analysis) error {
	if im.Status != "" {
		return Errorf(ESTATE, "Import %d is %s; only a new job can be analyzed.", im.ID, im.Status)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("analysis of import %d: %w", im.ID, err)
	}
	spec.Analysis = raw
	im.Spec, im.Status = spec, StatusAnalyzing
	return nil
}

// PendingAnalysis returns what a job in status analyzing still has to do,
// and whether it has any.
func (im *Import) PendingAnalysis() (Analysis, bool) {
	var a Analysis
	if im.Status != StatusAnalyzing || len(im.Spec.Analysis) == 0 || json.Unmarshal(im.Spec.Analysis, &a) != nil {
		return a, false
	}
	return a, true
}

// Configure sets a new or waiting job's spec. The job then waits for its
// mapping when required fields are missing or autostart is false, and is
// queued otherwise. Only a new job, one analyzing or one awaiting its
// mapping can be configured (ESTATE).
func (im *Import) Configure(spec ImportSpec, missing []string, autostart bool) error {
	if im.Status != "" && im.Status != StatusAwaitingMapping && im.Status != StatusAnalyzing {
		return Errorf(ESTATE, "Import %d is %s; only a job awaiting its mapping can be changed.", im.ID, im.Status)
	}
	im.Spec = spec
	im.Status = StatusQueued
	if len(missing) > 0 || !autostart {
		im.Status = StatusAwaitingMapping
	}
	return nil
}

// Start queues a job awaiting its mapping, once no required field is
// missing (EINVALID names them). It reports whether the job must be
// enqueued: starting a queued or running job again changes nothing, and an
// ended job cannot start (ESTATE).
func (im *Import) Start(missing []string) (bool, error) {
	switch im.Status {
	case StatusQueued, StatusRunning:
		return false, nil
	case StatusAwaitingMapping:
	case StatusPreviewed:
		im.apply()
		return true, nil
	case StatusAnalyzing:
		return false, Errorf(ESTATE, "Import %d is still analyzing its file; start it once it awaits its mapping.", im.ID)
	default:
		return false, Errorf(ESTATE, "Import %d is %s and cannot be started.", im.ID, im.Status)
	}
	if len(missing) > 0 {
		return false, Errorf(EINVALID, "Missing required headers: %s.", strings.Join(missing, ", "))
	}
	im.Status = StatusQueued
	return true, nil
}

// apply turns a previewed job into one that writes what it previewed: a
// validate job writes as upsert (what validate reports), from its first row.
func (im *Import) apply() {
	im.Spec.Preview = false
	if im.Spec.Mode == ModeValidate {
		im.Spec.Mode = ModeUpsert
	}
	im.Status, im.FinishedAt = StatusQueued, nil
	im.ProcessedRows, im.Created, im.Updated, im.Deleted, im.Skipped = 0, 0, 0, 0, 0
	im.FailedRows, im.PartialRows, im.ContactsCreated = 0, 0, 0
	im.ErrorsStored, im.ErrorsOmitted, im.Warnings = 0, 0, nil
}

// FinishPreview ends a running preview: previewed, nothing written
// (ErrImportEnded if it is not running).
func (im *Import) FinishPreview(now time.Time) error {
	if im.Status != StatusRunning {
		return ErrImportEnded
	}
	im.Status, im.FinishedAt, im.PreviewedAt = StatusPreviewed, &now, &now
	return nil
}

// Begin marks a queued (or resumed running) job running. A job awaiting its
// mapping cannot run (ESTATE); an ended one returns ErrImportEnded.
func (im *Import) Begin(now time.Time) error {
	switch im.Status {
	case StatusQueued, StatusRunning:
	case StatusAwaitingMapping:
		return Errorf(ESTATE, "Import %d is awaiting its mapping.", im.ID)
	case StatusAnalyzing:
		return Errorf(ESTATE, "Import %d is analyzing its file.", im.ID)
	default:
		return ErrImportEnded
	}
	im.Status = StatusRunning
	if im.StartedAt == nil {
		im.StartedAt = &now
	}
	return nil
}

// Cancel ends a job that has not ended (ESTATE otherwise). A running job
// stops at its next chunk: its checkpoint refuses to move.
func (im *Import) Cancel(now time.Time) error {
	if im.Status.Final() {
		return Errorf(ESTATE, "Import %d is already %s.", im.ID, im.Status)
	}
	im.Status, im.FinishedAt = StatusCancelled, &now
	return nil
}

// Finish completes a running job (ErrImportEnded otherwise).
func (im *Import) Finish(now time.Time) error {
	if im.Status != StatusRunning {
		return ErrImportEnded
	}
	im.Status, im.FinishedAt = StatusCompleted, &now
	return nil
}

// Fail ends a job that has not ended with the reason msg (ErrImportEnded
// otherwise).
func (im *Import) Fail(now time.Time, msg string) error {
	if im.Status.Final() {
		return ErrImportEnded
	}
	im.Status, im.Error, im.FinishedAt = StatusFailed, msg, &now
	return nil
}
